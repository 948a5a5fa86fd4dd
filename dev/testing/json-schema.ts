/**
 * A small JSON Schema (draft 2020-12) validator for the OpenAPI test (server/api/openapi.test.ts):
 * enough of the vocabulary for the schemas zod generates, and it refuses any keyword it does not
 * know, so a schema it cannot judge fails the test instead of passing it unread. No dependency:
 * the project has no JSON Schema validator of its own (ajv is only a transitive dependency of
 * eslint, at a draft-07 version).
 */
type Schema = boolean | { [k: string]: unknown };

const ANNOTATIONS = new Set(["description", "title", "default", "examples", "format", "$schema", "$id"]);
const KEYWORDS = new Set([
  "type", "properties", "required", "additionalProperties", "items", "enum", "const", "anyOf", "oneOf", "allOf", "$ref",
  "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern", "minItems", "maxItems", "propertyNames",
]);

export interface SchemaError {
  at: string;
  message: string;
}

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Resolves "#/a/b" against the root document. */
export function resolvePointer(root: unknown, ref: string): unknown {
  if (!ref.startsWith("#")) throw new Error(`only local $refs are supported: ${ref}`);
  let node: unknown = root;
  for (const raw of ref.slice(1).split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (!node || typeof node !== "object" || !(key in node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Every problem of `value` against `schema`; `root` is the document its $refs point into. */
export function validate(root: unknown, schema: Schema, value: unknown, at = ""): SchemaError[] {
  if (schema === true) return [];
  if (schema === false) return [{ at, message: "no value is allowed here" }];
  const errors: SchemaError[] = [];
  const fail = (message: string) => errors.push({ at, message });
  for (const key of Object.keys(schema)) if (!KEYWORDS.has(key) && !ANNOTATIONS.has(key)) throw new Error(`unsupported JSON Schema keyword "${key}" at ${at || "/"}`);
  const s = schema as Record<string, unknown>;
  const t = typeOf(value);

  if (s.$ref !== undefined) {
    const target = resolvePointer(root, s.$ref as string);
    if (target === undefined) throw new Error(`unresolved $ref ${String(s.$ref)}`);
    errors.push(...validate(root, target as Schema, value, at));
  }
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.some((ty) => ty === t || (ty === "number" && t === "integer"))) fail(`expected ${types.join(" or ")}, got ${t}`);
  }
  if (s.const !== undefined && !equal(s.const, value)) fail(`expected ${JSON.stringify(s.const)}`);
  if (s.enum !== undefined && !(s.enum as unknown[]).some((e) => equal(e, value))) fail(`expected one of ${JSON.stringify(s.enum)}`);
  if (s.anyOf !== undefined && !(s.anyOf as Schema[]).some((sub) => validate(root, sub, value, at).length === 0)) fail("matches none of anyOf");
  if (s.oneOf !== undefined) {
    const n = (s.oneOf as Schema[]).filter((sub) => validate(root, sub, value, at).length === 0).length;
    if (n !== 1) fail(`matches ${n} of oneOf, expected exactly 1`);
  }
  if (s.allOf !== undefined) for (const sub of s.allOf as Schema[]) errors.push(...validate(root, sub, value, at));

  if (typeof value === "number") {
    if (typeof s.minimum === "number" && value < s.minimum) fail(`below minimum ${s.minimum}`);
    if (typeof s.maximum === "number" && value > s.maximum) fail(`above maximum ${s.maximum}`);
    if (typeof s.exclusiveMinimum === "number" && value <= s.exclusiveMinimum) fail(`not above ${s.exclusiveMinimum}`);
    if (typeof s.exclusiveMaximum === "number" && value >= s.exclusiveMaximum) fail(`not below ${s.exclusiveMaximum}`);
  }
  if (typeof value === "string") {
    const length = [...value].length;
    if (typeof s.minLength === "number" && length < s.minLength) fail(`shorter than ${s.minLength}`);
    if (typeof s.maxLength === "number" && length > s.maxLength) fail(`longer than ${s.maxLength}`);
    if (typeof s.pattern === "string" && !new RegExp(s.pattern, "u").test(value)) fail(`does not match ${s.pattern}`);
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === "number" && value.length < s.minItems) fail(`fewer than ${s.minItems} items`);
    if (typeof s.maxItems === "number" && value.length > s.maxItems) fail(`more than ${s.maxItems} items`);
    if (s.items !== undefined) value.forEach((item, i) => errors.push(...validate(root, s.items as Schema, item, `${at}/${i}`)));
  }
  if (t === "object") {
    const obj = value as Record<string, unknown>;
    const props = (s.properties ?? {}) as Record<string, Schema>;
    for (const name of (s.required ?? []) as string[]) if (!(name in obj)) fail(`missing required property "${name}"`);
    for (const [name, v] of Object.entries(obj)) {
      const where = `${at}/${name.replace(/~/g, "~0").replace(/\//g, "~1")}`;
      if (s.propertyNames !== undefined) errors.push(...validate(root, s.propertyNames as Schema, name, where));
      if (name in props) errors.push(...validate(root, props[name]!, v, where));
      else if (s.additionalProperties !== undefined) {
        const extra = validate(root, s.additionalProperties as Schema, v, where);
        if (s.additionalProperties === false) fail(`property "${name}" is not allowed`);
        else errors.push(...extra);
      }
    }
  }
  return errors;
}
