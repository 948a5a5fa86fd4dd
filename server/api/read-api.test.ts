import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimException } from "../exceptions/resolve-exception";
import { AppError } from "../lib/errors";
import { createUser } from "../../dev/testing/refresh";
import { bundle, incident, nextWebhookId, ticket } from "../../dev/testing/events";
import { ingest } from "../../dev/testing/ingest";
import { createTestDb, type TestDb } from "../../dev/testing/test-db";
import { drain } from "../refresh/process-events";
import { exceptionQuery, getCurrentRecord, getEventStatus, getVersion, listExceptions, listVersions } from "./read-api";

/** docs/api.md's read API, shape by shape. */
let t: TestDb;
const CASE = "CASE-API";
const note = (id: string, body: string, minute: number) => ({ id, author: "agent", body, at: new Date(Date.UTC(2026, 10, 27, 1, minute)).toISOString() });
const hooks: Record<string, string> = {};

async function send(name: string, ev: Parameters<typeof ingest>[1]) {
  hooks[name] = nextWebhookId();
  await ingest(t, ev, hooks[name]);
}

beforeAll(async () => {
  t = await createTestDb();
  await send("t1", ticket(CASE, 1, { severity: "S2", notes: [note("n1", "Opened", 0)] }));
  await drain(t);
  // Version 2: a new diagnostic bundle and a routine ticket note in one refresh.
  await send("b1", bundle(CASE, "BND-API", 1));
  await send("t2", ticket(CASE, 2, { severity: "S2", notes: [note("n1", "Opened", 0), note("n2", "Customer sent logs", 5)] }));
  await drain(t);
  // Version 3: the subject changes.
  await send("t3", ticket(CASE, 3, { severity: "S2", subject: "Invoices render blank", notes: [note("n1", "Opened", 0), note("n2", "Customer sent logs", 5)] }));
  await drain(t);
  // Version 4 is held: an S4 incident against an S2 ticket.
  await send("i1", incident("INC-API", 1, { caseIds: [CASE], severity: "S4" }));
  await drain(t);
  // Another case whose only version is held, and one whose exception is claimed.
  await send("held-only", ticket("CASE-API-HELD", 1, { productArea: "no such product" }));
  await send("other", ticket("CASE-API-2", 1, { severity: "S1" }));
  await drain(t);
  await send("other-inc", incident("INC-API-2", 1, { caseIds: ["CASE-API-2"], severity: "S3" }));
  await drain(t);
  const specialist = await createUser(t.db, "specialist", "Ria");
  const exc = await t.db.caseException.findFirstOrThrow({ where: { caseId: "CASE-API-2" } });
  await claimException(t, specialist, exc.id);
});
afterAll(async () => {
  await t?.close();
});

async function expectNotFound(p: Promise<unknown>) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe("NOT_FOUND");
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe("GET /api/v1/events/{source}/{webhookId}", () => {
  it("answers { eventId, status, caseIds, recordVersions, cases }", async () => {
    const s = await getEventStatus(t.db, "ticketing", hooks.t2!);
    expect(Object.keys(s).sort()).toEqual(["caseIds", "cases", "eventId", "recordVersions", "status"]);
    expect(s).toEqual({ eventId: expect.stringMatching(/^evt_/), status: "applied", caseIds: [CASE], recordVersions: [{ caseId: CASE, version: 2 }], cases: [{ caseId: CASE, outcome: "applied", version: 2 }] });
    expect(await getEventStatus(t.db, "incident", hooks.i1!)).toMatchObject({ status: "held", caseIds: [CASE], recordVersions: [{ caseId: CASE, version: 4 }] });
  });

  it("404 for a webhook id never accepted, or accepted from another source", async () => {
    await expectNotFound(getEventStatus(t.db, "ticketing", "msg_never_sent"));
    await expectNotFound(getEventStatus(t.db, "diagnostics", hooks.t1!));
  });
});

describe("GET /api/v1/cases/{caseId}/record", () => {
  it("answers the current version { caseId, version, status: 'current', refreshedAt, record, lineage, openExceptions }", async () => {
    const r = await getCurrentRecord(t.db, CASE);
    expect(Object.keys(r).sort()).toEqual(["caseId", "lineage", "openExceptions", "record", "refreshedAt", "status", "version"]);
    expect(r).toMatchObject({ caseId: CASE, version: 3, status: "current" });
    expect(r.refreshedAt).toMatch(ISO);
    const record = r.record as { case: { subject: string }; notes: unknown[]; artifacts: unknown[] };
    expect(record.case.subject).toBe("Invoices render blank");
    expect(record.notes).toHaveLength(2);
    const lineage = r.lineage as Record<string, Record<string, unknown>>;
    expect(Object.keys(lineage["/case/subject"]!).sort()).toEqual(["entityId", "entityKind", "entityVersion", "occurredAt", "receivedAt", "source", "webhookId"]);
    expect(lineage["/case/subject"]).toMatchObject({ source: "ticketing", entityKind: "ticket", entityVersion: 3, webhookId: hooks.t3 });
    expect(lineage["/artifacts/0/sha256"]).toMatchObject({ source: "diagnostics", entityId: "BND-API", webhookId: hooks.b1 });
    expect(r.openExceptions).toHaveLength(1);
    const exc = r.openExceptions[0]!;
    expect(Object.keys(exc).sort()).toEqual(["candidateVersion", "caseId", "detail", "id", "openedAt", "rule", "status"]);
    expect(exc).toMatchObject({ caseId: CASE, rule: "SEVERITY_CONFLICT", status: "open", candidateVersion: 4 });
    expect(exc.openedAt).toMatch(ISO);
  });

  it("404 for an unknown case and for a case whose only version is held", async () => {
    await expectNotFound(getCurrentRecord(t.db, "CASE-NOPE"));
    await expectNotFound(getCurrentRecord(t.db, "CASE-API-HELD"));
  });
});

describe("GET /api/v1/cases/{caseId}/versions", () => {
  it("lists every version newest first as { version, status, createdAt, summary, causes }", async () => {
    const vs = await listVersions(t.db, CASE);
    expect(vs.map((v) => [v.version, v.status])).toEqual([
      [4, "held"],
      [3, "current"],
      [2, "superseded"],
      [1, "superseded"],
    ]);
    for (const v of vs) {
      expect(Object.keys(v).sort()).toEqual(["causes", "createdAt", "status", "summary", "version"]);
      expect(v.createdAt).toMatch(ISO);
      expect(v.summary.length).toBeGreaterThan(10);
    }
    expect(vs[0]!.causes).toEqual(["incident_change"]);
    expect(vs[1]!.causes).toEqual(["ticket_update"]);
    expect(vs[2]!.causes).toEqual(["diagnostics", "routine_carry_forward"]);
    // A reviewer sees at a glance what came from new diagnostics and what is routine carry-forward.
    expect(vs[2]!.summary).toMatch(/^New diagnostics: .*Routine ticket-note carry-forward: 1 new ticket note/);
  });

  it("404 for a case without versions", async () => {
    await expectNotFound(listVersions(t.db, "CASE-NOPE"));
  });
});

describe("GET /api/v1/cases/{caseId}/versions/{n}", () => {
  it("answers one version with record, lineage and a delta of only the changed paths", async () => {
    const v2 = await getVersion(t.db, CASE, 2);
    expect(v2).toMatchObject({ version: 2, status: "superseded" });
    expect(v2.record).toBeDefined();
    expect(v2.lineage).toBeDefined();
    for (const d of v2.delta) expect(Object.keys(d).sort()).toEqual(["after", "before", "cause", "lineage", "path"]);
    expect(v2.delta.map((d) => [d.path, d.cause])).toEqual([
      ["/approvedLogs/0", "diagnostics"],
      ["/artifacts/0", "diagnostics"],
      ["/notes/1", "routine_carry_forward"],
    ]);
    expect(v2.delta.find((d) => d.path === "/notes/1")).toMatchObject({ before: null, after: { id: "n2", body: "Customer sent logs" } });
    expect(v2.delta.find((d) => d.path === "/artifacts/0")!.lineage).toMatchObject({ source: "diagnostics", entityId: "BND-API", webhookId: hooks.b1 });

    const v3 = await getVersion(t.db, CASE, 3);
    expect(v3.delta).toEqual([
      {
        path: "/case/subject",
        before: "Invoices fail to render",
        after: "Invoices render blank",
        cause: "ticket_update",
        lineage: expect.objectContaining({ source: "ticketing", entityVersion: 3, webhookId: hooks.t3 }),
      },
    ]);
  });

  it("404 for a version that does not exist", async () => {
    await expectNotFound(getVersion(t.db, CASE, 99));
    await expectNotFound(getVersion(t.db, "CASE-NOPE", 1));
  });
});

describe("GET /api/v1/exceptions", () => {
  it("answers [{ id, caseId, rule, status, openedAt, candidateVersion, detail }] filtered by status and rule", async () => {
    const all = await listExceptions(t.db, exceptionQuery.parse({}));
    expect(all.length).toBeGreaterThanOrEqual(3);
    for (const e of all) expect(Object.keys(e).sort()).toEqual(["candidateVersion", "caseId", "detail", "id", "openedAt", "rule", "status"]);
    const open = await listExceptions(t.db, exceptionQuery.parse({ status: "open" }));
    expect(open.map((e) => e.caseId).sort()).toEqual([CASE, "CASE-API-HELD"]);
    const claimed = await listExceptions(t.db, exceptionQuery.parse({ status: "claimed" }));
    expect(claimed.map((e) => [e.caseId, e.rule])).toEqual([["CASE-API-2", "SEVERITY_CONFLICT"]]);
    const schema = await listExceptions(t.db, exceptionQuery.parse({ rule: "SCHEMA_INVALID" }));
    expect(schema.map((e) => e.caseId)).toEqual(["CASE-API-HELD"]);
    expect(schema[0]).toMatchObject({ status: "open", candidateVersion: 1 });
    const openSeverity = await listExceptions(t.db, exceptionQuery.parse({ status: "open", rule: "SEVERITY_CONFLICT" }));
    expect(openSeverity.map((e) => e.caseId)).toEqual([CASE]);
    expect(await listExceptions(t.db, exceptionQuery.parse({ status: "resolved" }))).toEqual([]);
    expect(exceptionQuery.safeParse({ status: "closed" }).success).toBe(false);
  });
});
