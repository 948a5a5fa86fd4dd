import { z } from "zod";
import { ALL_POLICY_FIELDS } from "../ops/governance/policy-fields";
import type { SourceKind } from "../intake/event-schemas";
import type { Json } from "../refresh/types";
import { FIELD_TYPES, RECORD_FIELDS, type FieldType, type SchemaField } from "./defaults";
import { normaliseAlias } from "./normalise";

/**
 * Fields a schema version adds to the record (docs/domain.md, "escalation schema"): a name in one of the
 * record's single-valued sections, a type, and the source (by name) and JSON Pointer in its `data`
 * the value comes from. Only sources with one entity per case can feed a field: a case has one
 * ticket, one account and one environment, but several incidents and bundles, and a single field
 * cannot say which of those it means.
 */
export interface AddedField extends SchemaField {
  type: FieldType;
  source: string;
  pointer: string;
}

export const isAddedField = (f: SchemaField): f is AddedField => typeof f.type === "string" && typeof f.source === "string" && typeof f.pointer === "string";

/** Sections of the record a source kind may add fields to: the ones it already feeds. */
export const SECTIONS_OF_KIND: Partial<Record<SourceKind, readonly string[]>> = {
  ticketing: ["case", "reproduction"],
  entitlement: ["entitlement"],
  environment: ["environment"],
};
export const FIELD_SECTIONS = ["case", "reproduction", "entitlement", "environment"] as const;

/** Every field the engine writes itself, lower-cased: an added field never shadows one of them, whatever its letter case. */
const BUILT_IN = new Set([...RECORD_FIELDS, ...ALL_POLICY_FIELDS].map((f) => f.toLowerCase()));
const UNSAFE_TOKENS = new Set(["__proto__", "constructor", "prototype"]);
/** Names an object answers without owning them (toString, hasOwnProperty, ...): a lookup would find them on any record. */
const isObjectMember = (name: string) => UNSAFE_TOKENS.has(name) || name in Object.prototype;
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;
const MAX_POINTER_TOKENS = 8;
const MAX_STRING = 10_000;

/** Problems with a field name ("case.customerImpact"); empty when it may be added. */
export function nameProblems(name: string): string[] {
  const parts = name.split(".");
  if (parts.some((p) => p === "")) return [`"${name}" has an empty segment; write section.name, e.g. case.customerImpact`];
  if (parts.length !== 2) return [`"${name}" must be a section and a name, e.g. case.customerImpact (no deeper nesting)`];
  const [section, field] = parts as [string, string];
  if (!(FIELD_SECTIONS as readonly string[]).includes(section)) {
    return [`section "${section}" cannot take new fields; use ${FIELD_SECTIONS.join(", ")} (incidents, artifacts, approvedLogs and notes are lists)`];
  }
  if (isObjectMember(field)) return [`"${field}" is a reserved name`];
  if (!IDENTIFIER.test(field)) return [`"${field}" must start with a letter and use only letters, digits and _ (at most 63 characters)`];
  if (BUILT_IN.has(name.toLowerCase())) return [`${name} is a built-in field of the record; a schema version can only change whether it is required`];
  return [];
}

/** The tokens of an RFC 6901 pointer, or the problems with it. */
export function pointerTokens(pointer: string): { tokens: string[] } | { problems: string[] } {
  if (!pointer.startsWith("/")) return { problems: [`"${pointer}" must be a JSON Pointer into the source's data, starting with "/", e.g. /customerImpact`] };
  const raw = pointer.slice(1).split("/");
  if (raw.length > MAX_POINTER_TOKENS) return { problems: [`at most ${MAX_POINTER_TOKENS} levels deep`] };
  if (raw.some((t) => /~(?![01])/.test(t))) return { problems: [`"~" must be written ~0 and "/" inside a name ~1`] };
  const tokens = raw.map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (tokens.some((t) => t === "")) return { problems: [`"${pointer}" has an empty segment`] };
  const unsafe = tokens.find((t) => UNSAFE_TOKENS.has(t));
  if (unsafe) return { problems: [`"${unsafe}" is a reserved name`] };
  return { tokens };
}

const issue = (ctx: z.RefinementCtx, path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });

/** A field definition as an admin submits it; the source's existence and kind are checked against the database (ops/governance/schema-fields.ts). */
export const fieldDefinition = z
  .strictObject({
    name: z.string().trim().min(1, "name the field, e.g. case.customerImpact").max(100, "must be at most 100 characters"),
    type: z.enum(FIELD_TYPES, { message: `must be one of ${FIELD_TYPES.join(", ")}` }),
    values: z.array(z.string().trim().min(1, "an allowed value must not be empty").max(100, "an allowed value has at most 100 characters")).max(50, "at most 50 allowed values").optional(),
    source: z.string().trim().min(1, "choose the source the value comes from").max(100),
    pointer: z.string().trim().min(1, "give the path of the value in the source's data, e.g. /customerImpact").max(300, "must be at most 300 characters"),
    required: z.boolean(),
  })
  .superRefine((d, ctx) => {
    for (const m of nameProblems(d.name)) issue(ctx, "name", m);
    const p = pointerTokens(d.pointer);
    if ("problems" in p) for (const m of p.problems) issue(ctx, "pointer", m);
    const values = d.values ?? [];
    if (d.type === "enum") {
      if (!values.length) issue(ctx, "values", "an enum field needs its allowed values");
      const seen = new Set<string>();
      for (const v of values) {
        if (seen.has(normaliseAlias(v))) issue(ctx, "values", `"${v}" is listed twice`);
        seen.add(normaliseAlias(v));
      }
    } else if (values.length) issue(ctx, "values", "only an enum field takes allowed values");
  });
export type FieldDefinition = z.infer<typeof fieldDefinition>;

/** The stored form of a checked definition, an entry of EscalationSchemaVersion.fields. */
export function toSchemaField(d: FieldDefinition): AddedField {
  const f: AddedField = { path: d.name, required: d.required, type: d.type, source: d.source, pointer: d.pointer };
  if (d.type === "enum") f.values = [...(d.values ?? [])];
  return f;
}

export const sectionOf = (f: Pick<SchemaField, "path">) => f.path.split(".")[0]!;

/** The value at a pointer, reading own properties only (never an inherited member such as toString). */
export function valueAt(data: unknown, tokens: string[]): unknown {
  let cur: unknown = data;
  for (const t of tokens) {
    if (cur === null || typeof cur !== "object" || !Object.hasOwn(cur, t)) return undefined;
    cur = (cur as Record<string, unknown>)[t];
  }
  return cur;
}

/** null: the source does not provide a value; otherwise the value converted to the field's type, or why it cannot be. */
export type MappedValue = null | { ok: true; value: Json } | { ok: false; reason: string };

const show = (v: unknown) => {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};
const NUMERAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function validDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.getUTCMonth() + 1 === Number(m[2]) && d.getUTCDate() === Number(m[3]);
}

/**
 * Normalises a source value like the record's own fields are: numerals and "true"/"false" text
 * become numbers and booleans, an enum value matches its allowed spelling whatever the letter case
 * and spacing, date-times become UTC ISO 8601. Anything else that does not fit is refused, never guessed.
 */
export function convertValue(f: Pick<AddedField, "type" | "values">, raw: unknown): MappedValue {
  if (raw === undefined || raw === null) return null;
  const bad = (what: string): MappedValue => ({ ok: false, reason: `${show(raw)} is not ${what}` });
  switch (f.type) {
    case "string":
      if (typeof raw === "string") return raw.length <= MAX_STRING ? { ok: true, value: raw } : { ok: false, reason: `text longer than ${MAX_STRING} characters` };
      if ((typeof raw === "number" && Number.isFinite(raw)) || typeof raw === "boolean") return { ok: true, value: String(raw) };
      return bad("text");
    case "number":
      if (typeof raw === "number" && Number.isFinite(raw)) return { ok: true, value: raw };
      if (typeof raw === "string" && NUMERAL.test(raw.trim()) && Number.isFinite(Number(raw.trim()))) return { ok: true, value: Number(raw.trim()) };
      return bad("a number");
    case "boolean":
      if (typeof raw === "boolean") return { ok: true, value: raw };
      if (typeof raw === "string" && ["true", "false"].includes(raw.trim().toLowerCase())) return { ok: true, value: raw.trim().toLowerCase() === "true" };
      return bad("true or false");
    case "enum": {
      const values = f.values ?? [];
      const match = typeof raw === "string" ? (values.find((v) => v === raw) ?? values.find((v) => normaliseAlias(v) === normaliseAlias(raw))) : undefined;
      return match !== undefined ? { ok: true, value: match } : bad(`one of ${values.join(", ")}`);
    }
    case "date":
      if (typeof raw === "string" && validDate(raw)) return { ok: true, value: raw };
      if (typeof raw === "string" && DATE_TIME.test(raw) && validDate(raw.slice(0, 10)) && !Number.isNaN(Date.parse(raw))) {
        return { ok: true, value: new Date(raw).toISOString() };
      }
      return bad("an ISO 8601 date or date-time (e.g. 2026-11-27 or 2026-11-27T02:10:00Z)");
  }
}

/** The field's value in one event's data; a stored definition whose pointer is unusable reads as absent. */
export function readMappedValue(f: AddedField, data: unknown): MappedValue {
  const p = pointerTokens(f.pointer);
  if ("problems" in p) return null;
  return convertValue(f, valueAt(data, p.tokens));
}
