import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; items?: JsonSchema; anyOf?: JsonSchema[]; oneOf?: JsonSchema[]; enum?: unknown[]; const?: unknown; minimum?: number };

/** A value shaped like the schema in which every string, and only the string at `target` (or all when null), carries `poison`. */
function sample(s: JsonSchema, poison: string, counter: { n: number }, target: number | null): unknown {
  const alt = s.anyOf ?? s.oneOf;
  if (alt) return sample(alt[0]!, poison, counter, target);
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
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

async function call(path: string, input: unknown): Promise<{ status: number; body: { error?: { json: { message: string; code: number; data: Record<string, unknown> } } } }> {
  const type = procedures[path]!._def.type;
  const payload = JSON.stringify({ json: input });
  const res =
    type === "query"
      ? await GET(new Request(`http://localhost/api/trpc/${path}?input=${encodeURIComponent(payload)}`, { headers }))
      : await POST(new Request(`http://localhost/api/trpc/${path}`, { method: "POST", headers: { ...Object.fromEntries(headers), "content-type": "application/json" }, body: payload }));
  return { status: res.status, body: await res.json() };
}

const withStrings = paths.flatMap((path) => {
  const schema = procedures[path]!._def.inputs[0];
  if (!schema) return [];
  const json = z.toJSONSchema(schema, { unrepresentable: "any", io: "input" }) as JsonSchema;
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
