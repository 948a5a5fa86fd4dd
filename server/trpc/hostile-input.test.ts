import { afterAll, beforeAll, describe, expect, it } from "vitest";
import superjson from "superjson";
import { z } from "zod";
import { GET, POST } from "@/app/api/trpc/[trpc]/route";
import { createRoleUsers, installTestRuntime, sessionHeaders, type TestRuntime } from "../../dev/testing/auth";
import { appRouter } from "./routers/_app";

/**
 * Every tRPC procedure, through the real route handler, signed in as an admin (so authorisation
 * lets every call through to its input): a NUL or a lone surrogate in each string of its input
 * gets a 400-class answer naming the problem, never INTERNAL_SERVER_ERROR; oversized batches get
 * 400; an unexpected failure answers a human message and a correlation id, no driver text.
 */
type Proc = { _def: { type: "query" | "mutation"; inputs: z.ZodType[] } };
const procedures = appRouter._def.procedures as unknown as Record<string, Proc>;
const paths = Object.keys(procedures).sort();

let t: TestRuntime;
let headers: Headers;

beforeAll(async () => {
  t = await installTestRuntime();
  const users = await createRoleUsers(t.rt.db);
  headers = await sessionHeaders(t.rt.db, users.admin.id);
});
afterAll(async () => t.close());

type JsonSchema = { format?: string; type?: string | string[]; properties?: Record<string, JsonSchema>; items?: JsonSchema; anyOf?: JsonSchema[]; oneOf?: JsonSchema[]; enum?: unknown[]; const?: unknown; minimum?: number };

/** A value shaped like the schema in which every string, and only the string at `target` (or all when null), carries `poison`. */
function sample(s: JsonSchema, poison: string, counter: { n: number }, target: number | null): unknown {
  const alt = s.anyOf ?? s.oneOf;
  if (alt) return sample(alt[0]!, poison, counter, target);
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  if (s.format === JS_DATE) return new Date("2026-01-01T00:00:00Z");
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case "object":
      return Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, sample(v, poison, counter, target)]));
    case "array":
      return s.items ? [sample(s.items, poison, counter, target)] : [];
    case "string": {
      const i = counter.n++;
      return target === null || target === i ? `X${poison}Y` : "X";
    }
    case "number":
    case "integer":
      return Math.max(1, s.minimum ?? 1);
    case "boolean":
      return true;
    default:
      return null;
  }
}

async function call(path: string, input: unknown): Promise<{ status: number; body: { error?: { json: { message: string; code: number; data: Record<string, unknown> & { zodIssues?: { path: string }[] | null } } } } }> {
  const type = procedures[path]!._def.type;
  // superjson, as the app's client sends it: Dates travel as Dates.
  const payload = JSON.stringify(superjson.serialize(input));
  const res =
    type === "query"
      ? await GET(new Request(`http://localhost/api/trpc/${path}?input=${encodeURIComponent(payload)}`, { headers }))
      : await POST(new Request(`http://localhost/api/trpc/${path}`, { method: "POST", headers: { ...Object.fromEntries(headers), "content-type": "application/json" }, body: payload }));
  return { status: res.status, body: await res.json() };
}

/** Dates have no JSON Schema; they are marked with this format so the samples can carry one. */
const JS_DATE = "js-date";
function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, {
    unrepresentable: "any",
    io: "input",
    override: (ctx) => {
      if ((ctx.zodSchema as unknown as { _zod: { def: { type: string } } })._zod.def.type === "date") ctx.jsonSchema.format = JS_DATE;
    },
  }) as JsonSchema;
}

const withStrings = paths.flatMap((path) => {
  const schema = procedures[path]!._def.inputs[0];
  if (!schema) return [];
  const json = jsonSchemaOf(schema);
  const counter = { n: 0 };
  sample(json, "", counter, null);
  return counter.n ? [{ path, json, strings: counter.n }] : [];
});

describe("NUL and lone surrogates in every string input of every procedure", () => {
  it("finds the router's string inputs", () => {
    expect(withStrings.length).toBeGreaterThanOrEqual(30);
  });
  for (const { path, json, strings } of withStrings) {
    it(`${path}: each of its ${strings} string(s)`, async () => {
      for (const poison of ["\u0000", "\ud800", "\udc00x"]) {
        for (let i = 0; i < strings; i++) {
          const r = await call(path, sample(json, poison, { n: 0 }, i));
          expect({ path, i, status: r.status }).toEqual({ path, i, status: 400 });
          expect(r.body.error?.json.data.code).toBe("BAD_REQUEST");
          expect(r.body.error?.json.message).toMatch(/NUL .*unpaired UTF-16 surrogates/);
        }
      }
    });
  }
});

/**
 * Every number and date an input takes, as a path into a valid-looking sample (each alternative of
 * a union on its own, so a date in the second alternative is reached too).
 */
type Leaf = { kind: "number" | "date"; path: string[] };
function leaves(s: JsonSchema, path: string[] = []): Leaf[] {
  if (s.format === JS_DATE) return [{ kind: "date", path }];
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  if (type === "number" || type === "integer") return [{ kind: "number", path }];
  if (type === "object") return Object.entries(s.properties ?? {}).flatMap(([k, v]) => leaves(v, [...path, k]));
  if (type === "array" && s.items) return leaves(s.items, [...path, "0"]);
  return [];
}
function setAt(value: unknown, path: string[], leaf: unknown): unknown {
  if (!path.length) return leaf;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string, unknown>;
  copy[path[0]!] = setAt(copy[path[0]!], path.slice(1), leaf);
  return copy;
}

const withNumbersOrDates = paths.flatMap((path) => {
  const schema = procedures[path]!._def.inputs[0];
  if (!schema) return [];
  const json = jsonSchemaOf(schema);
  const variants = json.anyOf ?? json.oneOf ?? [json];
  const cases = variants.flatMap((variant) => leaves(variant).map((leaf) => ({ variant, leaf })));
  return cases.length ? [{ path, cases }] : [];
});

/** Numbers no input takes: past a 32-bit column, negative, fractional, huge. Dates PostgreSQL cannot hold or read. */
const HOSTILE_NUMBERS = [2_147_483_648, -2_147_483_649, -1, 1.5, 1e300];
const HOSTILE_DATES = [new Date(8.64e15), new Date(-8.64e15), new Date("0999-12-31T00:00:00Z"), new Date("+010000-01-01T00:00:00Z")];

describe("out-of-range numbers and dates in every numeric and date input of every procedure", () => {
  it("finds the router's numeric and date inputs", () => {
    const found = withNumbersOrDates.map((p) => p.path);
    expect(found).toEqual(expect.arrayContaining(["records.version", "records.compare", "records.fieldHistory", "opsSchema.diff", "events.list", "events.refusals", "adminAudit.list", "opsJobs.replay"]));
    expect(withNumbersOrDates.flatMap((p) => p.cases.filter((c) => c.leaf.kind === "date")).length).toBeGreaterThanOrEqual(8);
  });
  for (const { path, cases } of withNumbersOrDates) {
    it(`${path}: ${cases.map((c) => c.leaf.path.join(".")).join(", ")}`, async () => {
      for (const { variant, leaf } of cases) {
        const valid = sample(variant, "", { n: 0 }, null);
        for (const bad of leaf.kind === "number" ? HOSTILE_NUMBERS : HOSTILE_DATES) {
          const r = await call(path, setAt(valid, leaf.path, bad));
          const at = leaf.path.join(".");
          expect({ path, at, bad, status: r.status }).toEqual({ path, at, bad, status: 400 });
          expect(r.body.error?.json.data.code).toBe("BAD_REQUEST");
          // Refused for this value, not for something else in the sample.
          expect(r.body.error?.json.data.zodIssues?.map((i) => i.path)).toContain(at);
        }
      }
    });
  }
});

describe("forged keyset cursors", () => {
  const cursor = (...values: unknown[]) => Buffer.from(JSON.stringify(values), "utf8").toString("base64url");
  const forged = (tag: string, ...rest: unknown[][]) => rest.map((r) => cursor(tag, ...r));
  const cases: [string, Record<string, unknown>, string[]][] = [
    ["events.list", {}, forged("events", ["not a time", "1"], ["2026-02-30 00:00:00", "1"], ["+275760-09-13 00:00:00", "1"], ["2026-01-01 00:00:00", "99999999999999999999"], ["2026-01-01 00:00:00", "x"])],
    ["events.refusals", {}, forged("refusals", ["0000-01-01 00:00:00", "r1"], ["2026-01-01 00:00:00", "r\u0000"])],
    ["records.list", { sort: "exceptions", dir: "desc" }, forged("records:exceptions:desc", ["2147483648", "2026-01-01 00:00:00", "C"], ["1.5", "-infinity", "C"])],
    ["exceptions.list", { status: "open" }, forged("exceptions:open", ["2026-13-01 00:00:00", "x"], ["2026-01-01 24:00:00", "x"])],
  ];
  for (const [path, base, cursors] of cases) {
    it(`${path}: a cursor whose values the database cannot read is ignored, never a 5xx`, async () => {
      for (const c of cursors) {
        for (const key of ["after", "before"]) {
          const r = await call(path, { ...base, [key]: c });
          expect({ path, c: Buffer.from(c, "base64url").toString(), status: r.status }).toEqual({ path, c: Buffer.from(c, "base64url").toString(), status: 200 });
        }
      }
    });
  }
});

describe("an anticipated internal failure (AppError INTERNAL)", () => {
  it("answers the generic message and a logged correlation id, never its own text", async () => {
    const { log } = await import("../lib/log");
    const { AppError } = await import("../lib/errors");
    const logged: unknown[] = [];
    const original = log.error.bind(log);
    log.error = ((obj: unknown) => void logged.push(obj)) as typeof log.error;
    const db = t.rt.db as unknown as { recordVersion: { findFirst: unknown } };
    const saved = db.recordVersion.findFirst;
    db.recordVersion.findFirst = () => Promise.reject(new AppError("INTERNAL", "unreadable sealed secret"));
    try {
      const r = await call("records.current", { caseId: "CASE-1" });
      expect(r.status).toBe(500);
      expect(JSON.stringify(r.body)).not.toMatch(/sealed/);
      expect(r.body.error?.json.message).toBe("internal error; the failure was logged");
      expect(logged).toEqual([expect.objectContaining({ correlationId: r.body.error?.json.data.correlationId })]);
    } finally {
      db.recordVersion.findFirst = saved;
      log.error = original;
    }
  });
});

describe("a value the database refuses, past every check", () => {
  it("is a 400 naming no internals (the mapper's safety net), not a 500", async () => {
    const db = t.rt.db as unknown as { recordVersion: { findFirst: unknown }; $queryRawUnsafe: (sql: string) => Promise<unknown> };
    const err = await db.$queryRawUnsafe("SELECT 2147483648::int4").then(() => null, (e: unknown) => e);
    expect(err).toBeTruthy();
    const saved = db.recordVersion.findFirst;
    db.recordVersion.findFirst = () => Promise.reject(err);
    try {
      const r = await call("records.current", { caseId: "CASE-1" });
      expect(r.status).toBe(400);
      expect(r.body.error?.json.data.code).toBe("BAD_REQUEST");
      expect(JSON.stringify(r.body)).not.toMatch(/prisma|int4|invocation|22003/i);
    } finally {
      db.recordVersion.findFirst = saved;
    }
  });
});

describe("strings longer than any input accepts", () => {
  it("are refused with 400 before any schema runs", async () => {
    const r = await call("records.current", { caseId: "x".repeat(20_001) });
    expect(r.status).toBe(400);
    expect(r.body.error?.json.message).toMatch(/longer than 20000/);
  });
});

describe("batches", () => {
  it("accept up to 20 procedures and refuse more with 400", async () => {
    const batch = (n: number) => {
      const names = Array.from({ length: n }, () => "me.get").join(",");
      const input = Object.fromEntries(Array.from({ length: n }, (_, i) => [i, { json: null }]));
      return GET(new Request(`http://localhost/api/trpc/${names}?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`, { headers }));
    };
    expect((await batch(20)).status).toBe(200);
    const over = await batch(21);
    expect(over.status).toBe(400);
  });
});

describe("unexpected failures", () => {
  it("answer a human message with a correlation id, never driver text", async () => {
    const { log } = await import("../lib/log");
    const logged: unknown[] = [];
    const original = log.error.bind(log);
    log.error = ((obj: unknown) => void logged.push(obj)) as typeof log.error;
    const db = t.rt.db as unknown as { recordVersion: { findFirst: unknown } };
    const saved = db.recordVersion.findFirst;
    db.recordVersion.findFirst = () => Promise.reject(new Error("Invalid `prisma.recordVersion.findFirst()` invocation: Code: `22021`"));
    try {
      const r = await call("records.current", { caseId: "CASE-1" });
      expect(r.status).toBe(500);
      const text = JSON.stringify(r.body);
      expect(text).not.toMatch(/prisma|22021|invocation|stack/i);
      expect(r.body.error?.json.message).toBe("internal error; the failure was logged");
      const id = r.body.error?.json.data.correlationId;
      expect(id).toMatch(/^err_/);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ correlationId: id });
    } finally {
      db.recordVersion.findFirst = saved;
      log.error = original;
    }
  });
});
