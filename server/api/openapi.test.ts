import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signWebhook } from "../../dev/simulator/sign";
import { bearerHeaders, installTestRuntime, type TestRuntime } from "../../dev/testing/auth";
import { bundle, entitlement, environment, incident, nextWebhookId, ticket, type TestEvent } from "../../dev/testing/events";
import { resolvePointer, validate } from "../../dev/testing/json-schema";
import { createUser } from "../../dev/testing/refresh";
import { TEST_SECRET_KEY } from "../../dev/testing/test-db";
import { claimException, resolveException } from "../exceptions/resolve-exception";
import { SOURCE_KINDS } from "../intake/event-schemas";
import { drain } from "../refresh/process-events";
import { SourceRegistry } from "../sources/registry";
import { buildOpenApiDocument, componentSchemas, documentSchemas, webhookBodies } from "./openapi";

/**
 * The OpenAPI document (GET /api/openapi.json) is well formed, and real answers of every route it
 * describes, made by the route handlers over a real database, match what it says for their path
 * and status: checked twice, with the document's own JSON Schema (dev/testing/json-schema.ts) and
 * with the zod schema the document was generated from.
 */
type Json = Record<string, unknown>;
type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
const SECRET = "whsec_" + Buffer.alloc(32, 5).toString("base64");
const BASE = "http://127.0.0.1:4455";
const CASE = "CASE-OAS";

let t: TestRuntime;
let doc: Json;
const hooks: Record<string, string> = {};
/** Every (template, method, status) an answer was checked for. */
const seen = new Set<string>();

async function handler(dir: string, method = "GET"): Promise<Handler> {
  const mod = (await import(/* @vite-ignore */ path.resolve(__dirname, "../../app/api", dir, "route.ts"))) as Record<string, Handler>;
  return mod[method]!;
}

function operation(template: string, method: string): Json {
  const op = ((doc.paths as Json)[template] as Json | undefined)?.[method] as Json | undefined;
  if (!op) throw new Error(`the document has no ${method} ${template}`);
  return op;
}

/** Checks one answer against the document (status documented, body valid) and the zod schema behind it. */
async function check(template: string, res: Response, method = "get"): Promise<unknown> {
  const responses = operation(template, method).responses as Json;
  const documented = responses[String(res.status)] as Json | undefined;
  const body = (await res.json()) as unknown;
  expect(documented, `${method} ${template} answered ${res.status}, which the document does not list: ${JSON.stringify(body).slice(0, 300)}`).toBeDefined();
  const schema = ((documented!.content as Json)["application/json"] as Json).schema as Json;
  expect({ status: res.status, errors: validate(doc, schema, body) }).toEqual({ status: res.status, errors: [] });
  const name = typeof schema.$ref === "string" ? schema.$ref.split("/").pop()! : null;
  if (name) documentSchemas[name]!.parse(body);
  for (const header of Object.keys((documented!.headers as Json | undefined) ?? {})) expect(res.headers.get(header), `${template} ${res.status} ${header}`).not.toBeNull();
  seen.add(`${method} ${template} ${res.status}`);
  return body;
}

function webhookRequest(source: string, ev: TestEvent | string, opts: { webhookId?: string; secret?: string; contentType?: string } = {}) {
  const body = typeof ev === "string" ? ev : JSON.stringify(ev.body);
  const webhookId = opts.webhookId ?? nextWebhookId();
  const signed = signWebhook({ baseUrl: BASE, source, secret: opts.secret ?? SECRET, webhookId, body });
  return { req: new Request(signed.url, { method: "POST", headers: { ...signed.headers, "content-type": opts.contentType ?? "application/json" }, body }), webhookId };
}

async function deliver(name: string, ev: TestEvent) {
  const { req, webhookId } = webhookRequest(ev.kind, ev);
  hooks[name] = webhookId;
  const res = await (await handler("webhooks/[source]", "POST"))(req, { params: Promise.resolve({ source: ev.kind }) });
  await check("/api/webhooks/{source}", res, "post");
  expect(res.status).toBe(202);
}

const read = async (dir: string, url: string, headers: Headers = bearerHeaders()) => (await handler(dir))(new Request(BASE + url, { headers }), { params: Promise.resolve({}) });

const note = (id: string, minute: number) => ({ id, author: "agent", body: `note ${id}`, at: new Date(Date.UTC(2026, 10, 27, 1, minute)).toISOString() });
const EVENTS: Record<string, TestEvent> = {
  t1: ticket(CASE, 1, { severity: "S2", environmentId: "ENV-OAS", notes: [note("n1", 0)] }),
  e1: entitlement("ACC-1", 1),
  env1: environment("ENV-OAS", 1, {}, CASE),
  b1: bundle(CASE, "BND-OAS", 1),
  t2: ticket(CASE, 2, { severity: "S2", environmentId: "ENV-OAS", notes: [note("n1", 0), note("n2", 5)], customerImpact: "extra properties are kept" }),
  i1: incident("INC-OAS", 1, { caseIds: [CASE], severity: "S4" }),
};

beforeAll(async () => {
  t = await installTestRuntime();
  t.rt.registry = new SourceRegistry(t.rt.db, { key: TEST_SECRET_KEY, envSecrets: Object.fromEntries(SOURCE_KINDS.map((k) => [k, [SECRET]])) });
  doc = JSON.parse(await (await handler("openapi.json"))(new Request(`${BASE}/api/openapi.json`), { params: Promise.resolve({}) }).then((r) => r.text())) as Json;
  for (const name of ["t1", "e1", "env1", "b1"]) await deliver(name, EVENTS[name]!);
  await drain(t.tdb);
  await deliver("t2", EVENTS.t2!);
  await drain(t.tdb);
  // An S4 incident against an S2 ticket holds version 3 behind SEVERITY_CONFLICT; approving it makes it current with approval lineage.
  await deliver("i1", EVENTS.i1!);
  await drain(t.tdb);
  const exc = await t.rt.db.caseException.findFirstOrThrow({ where: { caseId: CASE, liveKey: { not: null } } });
  const specialist = await createUser(t.rt.db, "specialist", "Oas Specialist");
  await claimException(t.tdb, specialist, exc.id);
  await resolveException(t.tdb, specialist, exc.id, { kind: "approve", note: "confirmed with the customer" });
  // A second hold stays open, so the record carries an open exception.
  await deliver("i2", incident("INC-OAS-2", 1, { caseIds: [CASE], severity: "S4" }));
  await drain(t.tdb);
});
afterAll(async () => t?.close());

describe("the document", () => {
  it("is served public, as OpenAPI 3.1 generated from the zod schemas", async () => {
    const res = await (await handler("openapi.json"))(new Request(`${BASE}/api/openapi.json`), { params: Promise.resolve({}) });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(doc).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
    expect(doc).toMatchObject({ openapi: "3.1.0", info: { version: "1" }, jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema" });
    // Generated, not written by hand: the components are zod's output for the very schemas the checks below parse with.
    expect((doc.components as Json).schemas).toEqual(JSON.parse(JSON.stringify(componentSchemas())));
    expect(Object.keys((doc.components as Json).schemas as Json).sort()).toEqual(Object.keys(documentSchemas).sort());
  });

  it("is structurally sound: every $ref resolves, path parameters are declared, operations have responses", () => {
    const refs: string[] = [];
    const walk = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === "object") {
        for (const [k, v] of Object.entries(node)) {
          if (k === "$ref") refs.push(v as string);
          else walk(v);
        }
      }
    };
    walk(doc);
    expect(refs.length).toBeGreaterThan(30);
    for (const r of refs) expect(resolvePointer(doc, r), r).toBeDefined();

    const operationIds: string[] = [];
    const ops: [string, Json][] = [];
    for (const [template, item] of Object.entries(doc.paths as Json)) for (const [m, op] of Object.entries(item as Json)) ops.push([`${m} ${template}`, op as Json]);
    for (const [kind, item] of Object.entries(doc.webhooks as Json)) for (const [m, op] of Object.entries(item as Json)) ops.push([`webhook ${kind} ${m}`, op as Json]);
    const schemes = Object.keys(((doc.components as Json).securitySchemes as Json) ?? {});
    for (const [where, op] of ops) {
      operationIds.push(op.operationId as string);
      const responses = Object.entries(op.responses as Json);
      expect(responses.some(([s]) => /^2\d\d$/.test(s)), where).toBe(true);
      for (const [status, r] of responses) {
        expect(status, where).toMatch(/^[1-5]\d\d$/);
        expect(typeof (r as Json).description, `${where} ${status}`).toBe("string");
      }
      for (const req of (op.security as Json[] | undefined) ?? []) for (const name of Object.keys(req)) expect(schemes, where).toContain(name);
      const params = (op.parameters as Json[] | undefined) ?? [];
      const declared = params.filter((p) => p.in === "path").map((p) => p.name);
      const template = where.startsWith("webhook") ? "" : where.split(" ")[1]!;
      expect(declared.sort(), where).toEqual([...template.matchAll(/\{([^}]+)\}/g)].map((x) => x[1]).sort());
      for (const p of params) {
        expect(["path", "query", "header"], where).toContain(p.in);
        if (p.in === "path") expect(p.required, where).toBe(true);
        expect(p.schema, `${where} ${String(p.name)}`).toBeDefined();
      }
    }
    expect(new Set(operationIds).size).toBe(operationIds.length);
    expect(Object.keys(doc.webhooks as Json).sort()).toEqual([...SOURCE_KINDS].sort());
  });

  it("every schema uses only vocabulary the validator understands (so none passes unread)", () => {
    const schemas = (doc.components as Json).schemas as Json;
    for (const [name, schema] of Object.entries(schemas)) expect(() => validate(doc, schema as Json, Symbol("probe")), name).not.toThrow();
  });
});

describe("webhook bodies", () => {
  const schemaOf = (kind: string) => ((((((doc.webhooks as Json)[kind] as Json).post as Json).requestBody as Json).content as Json)["application/json"] as Json).schema as Json;

  it("accept every test event under its kind, in the document and in zod", () => {
    for (const ev of [...Object.values(EVENTS), incident("INC-OAS-2", 1, { caseIds: [CASE], severity: "S4" })]) {
      expect(validate(doc, schemaOf(ev.kind), ev.body)).toEqual([]);
      expect(webhookBodies[ev.kind].safeParse(ev.body).success).toBe(true);
      const paths = ((((operation("/api/webhooks/{source}", "post").requestBody as Json).content as Json)["application/json"] as Json).schema as Json);
      expect(validate(doc, paths, ev.body)).toEqual([]);
    }
  });

  it("reject mutated events: a wrong enum, a property on the strict envelope, another kind's type, a missing field", () => {
    const t1 = EVENTS.t1!.body;
    const mutants: [string, unknown][] = [
      ["ticketing", { ...t1, data: { ...t1.data, severity: "S9" } }],
      ["ticketing", { ...t1, extra: true }],
      ["ticketing", { ...t1, type: "incident.updated" }],
      ["ticketing", { ...t1, version: "1" }],
      ["incident", { ...EVENTS.i1!.body, data: { ...EVENTS.i1!.body.data, caseIds: undefined } }],
      ["diagnostics", { ...EVENTS.b1!.body, data: { ...EVENTS.b1!.body.data, sizeBytes: -1 } }],
    ];
    for (const [kind, body] of mutants) {
      const plain = JSON.parse(JSON.stringify(body)) as unknown;
      expect(validate(doc, schemaOf(kind), plain).length, JSON.stringify(plain).slice(0, 120)).toBeGreaterThan(0);
      expect(webhookBodies[kind as "ticketing"].safeParse(plain).success).toBe(false);
    }
  });

  it("the webhook route's answers match the document: duplicate, stale, 400, 401, 404, 415", async () => {
    const post = await handler("webhooks/[source]", "POST");
    const ctx = (source: string) => ({ params: Promise.resolve({ source }) });
    const dup = webhookRequest("ticketing", EVENTS.t1!, { webhookId: hooks.t1 });
    expect((await check("/api/webhooks/{source}", await post(dup.req, ctx("ticketing")), "post")) as Json).toMatchObject({ status: "duplicate" });
    const stale = webhookRequest("ticketing", EVENTS.t1!);
    expect((await check("/api/webhooks/{source}", await post(stale.req, ctx("ticketing")), "post")) as Json).toMatchObject({ status: "stale" });
    for (const [req, source, status] of [
      [webhookRequest("ticketing", JSON.stringify({ ...EVENTS.t1!.body, version: 0 })).req, "ticketing", 400],
      [webhookRequest("ticketing", EVENTS.t1!, { secret: "whsec_" + Buffer.alloc(32, 1).toString("base64") }).req, "ticketing", 401],
      [webhookRequest("nowhere", EVENTS.t1!).req, "nowhere", 404],
      [webhookRequest("ticketing", EVENTS.t1!, { contentType: "text/plain" }).req, "ticketing", 415],
    ] as const) {
      const res = await post(req, ctx(source));
      expect(res.status).toBe(status);
      await check("/api/webhooks/{source}", res, "post");
    }
  });
});

describe("read API answers match the document", () => {
  it("event status: 200, 404, 401", async () => {
    const dir = "v1/events/[source]/[webhookId]";
    const tpl = "/api/v1/events/{source}/{webhookId}";
    for (const name of ["t1", "e1", "i1", "i2"]) await check(tpl, await read(dir, `/api/v1/events/${EVENTS[name]?.kind ?? "incident"}/${hooks[name]}`));
    await check(tpl, await read(dir, "/api/v1/events/ticketing/msg_never"));
    await check(tpl, await read(dir, `/api/v1/events/ticketing/${hooks.t1}`, new Headers()));
  });

  it("current record: 200 with approval lineage and an open exception, 404, 400", async () => {
    const dir = "v1/cases/[caseId]/record";
    const tpl = "/api/v1/cases/{caseId}/record";
    const body = (await check(tpl, await read(dir, `/api/v1/cases/${CASE}/record`))) as { lineage: Record<string, Json>; openExceptions: unknown[]; record: Json };
    expect(body.openExceptions.length).toBeGreaterThan(0);
    expect(Object.values(body.lineage).some((l) => l.approval)).toBe(true);
    expect(body.record.entitlement).toBeDefined();
    expect(body.record.environment).toBeDefined();
    await check(tpl, await read(dir, "/api/v1/cases/CASE-NONE/record"));
    await check(tpl, await read(dir, "/api/v1/cases/CASE%E0%A4%A/record"));
  });

  it("versions, one version with its delta: 200, 400, 404", async () => {
    const list = (await check("/api/v1/cases/{caseId}/versions", await read("v1/cases/[caseId]/versions", `/api/v1/cases/${CASE}/versions`))) as { version: number }[];
    expect(list.length).toBeGreaterThanOrEqual(3);
    await check("/api/v1/cases/{caseId}/versions", await read("v1/cases/[caseId]/versions", "/api/v1/cases/CASE-NONE/versions"));
    const tpl = "/api/v1/cases/{caseId}/versions/{n}";
    for (const { version } of list) {
      const v = (await check(tpl, await read("v1/cases/[caseId]/versions/[n]", `/api/v1/cases/${CASE}/versions/${version}`))) as { delta: unknown[] };
      expect(v.delta.length).toBeGreaterThan(0);
    }
    await check(tpl, await read("v1/cases/[caseId]/versions/[n]", `/api/v1/cases/${CASE}/versions/x1`));
    await check(tpl, await read("v1/cases/[caseId]/versions/[n]", `/api/v1/cases/${CASE}/versions/999`));
  });

  it("exceptions: 200 (open, resolved, by rule), 400", async () => {
    const tpl = "/api/v1/exceptions";
    for (const q of ["", "?status=open", "?status=resolved", `?rule=SEVERITY_CONFLICT&caseId=${CASE}&limit=5`]) {
      const list = (await check(tpl, await read("v1/exceptions", tpl + q))) as unknown[];
      expect(list.length, q).toBeGreaterThan(0);
    }
    await check(tpl, await read("v1/exceptions", `${tpl}?status=sleeping`));
  });

  it("change feed: 200 from the start and from a cursor, 400", async () => {
    const tpl = "/api/v1/changes";
    const page = (await check(tpl, await read("v1/changes", `${tpl}?limit=1`))) as { changes: unknown[]; next: string };
    expect(page.changes).toHaveLength(1);
    const rest = (await check(tpl, await read("v1/changes", `${tpl}?after=${encodeURIComponent(page.next)}`))) as { changes: unknown[] };
    expect(rest.changes.length).toBeGreaterThan(0);
    await check(tpl, await read("v1/changes", `${tpl}?limit=0`));
    await check(tpl, await read("v1/changes", `${tpl}?after=forged`));
  });

  it("health: anonymous 200, detailed 200, 401 for a wrong token", async () => {
    expect(await check("/api/health", await read("health", "/api/health", new Headers()))).toEqual({ status: "ok" });
    expect(await check("/api/health", await read("health", "/api/health"))).toMatchObject({ ok: true, checks: { migrations: { ok: true } } });
    await check("/api/health", await read("health", "/api/health", bearerHeaders("not-a-token-at-all-00")));
  });

  it("a changed answer fails the check: an undocumented property, a changed type", async () => {
    const body = (await (await read("v1/cases/[caseId]/record", `/api/v1/cases/${CASE}/record`)).json()) as Json;
    const schema = ref("CurrentRecord");
    expect(validate(doc, schema, body)).toEqual([]);
    expect(validate(doc, schema, { ...body, extra: 1 }).length).toBeGreaterThan(0);
    expect(validate(doc, schema, { ...body, version: String(body.version) }).length).toBeGreaterThan(0);
    const lineage = body.lineage as Record<string, Json>;
    const [first] = Object.keys(lineage);
    expect(validate(doc, schema, { ...body, lineage: { ...lineage, [first!]: { ...lineage[first!], secret: "x" } } }).length).toBeGreaterThan(0);
    expect(documentSchemas.CurrentRecord!.safeParse({ ...body, extra: 1 }).success).toBe(false);
  });

  it("every documented 2xx of the read API and the webhook route was checked against a real answer", () => {
    const wanted: string[] = [];
    for (const [template, item] of Object.entries(doc.paths as Json)) {
      if (!/^\/api\/(v1|webhooks|health)/.test(template)) continue;
      for (const [m, op] of Object.entries(item as Json)) for (const status of Object.keys((op as Json).responses as Json)) if (/^2/.test(status)) wanted.push(`${m} ${template} ${status}`);
    }
    expect(wanted.filter((w) => !seen.has(w))).toEqual([]);
  });
});

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
