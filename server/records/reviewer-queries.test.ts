import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getEvent } from "../events/get-event";
import { listEvents } from "../events/list-events";
import { listRefusals } from "../events/list-refusals";
import { claimException } from "../exceptions/resolve-exception";
import { AppError } from "../lib/errors";
import { drain } from "../refresh/process-events";
import { createUser } from "../../dev/testing/refresh";
import { bundle, entitlement, incident, nextWebhookId, ticket } from "../../dev/testing/events";
import { ingest } from "../../dev/testing/ingest";
import { createTestDb, type TestDb } from "../../dev/testing/test-db";
import { compareVersions } from "./compare-versions";
import { getDashboard } from "../ops/dashboard/dashboard-metrics";
import { getExceptionDetail } from "../exceptions/get-detail";
import { getFieldHistory } from "./get-field-history";
import { getRecordOverview } from "./get-record-overview";
import { listExceptionQueue } from "../exceptions/list-queue";
import { listRecordVersions } from "./list-record-versions";
import { listRecords, recordListInput } from "./list-records";

/** The reviewer screens' queries, against a database the real engine filled. */
let t: TestDb;
const hooks: Record<string, string> = {};
const note = (id: string, body: string, minute: number) => ({ id, author: "agent", body, at: new Date(Date.UTC(2026, 10, 27, 1, minute)).toISOString() });
const list = (input: Partial<ReturnType<typeof recordListInput.parse>>) => listRecords(t.db, recordListInput.parse(input));

async function send(name: string, ev: Parameters<typeof ingest>[1]) {
  hooks[name] = nextWebhookId();
  await ingest(t, ev, hooks[name]);
}

beforeAll(async () => {
  t = await createTestDb();
  await send("t1", ticket("REV-1", 1, { severity: "S3", accountId: "ACC-R1", customerName: "Northwind" }));
  await send("e1", entitlement("ACC-R1", 1, { serviceTier: "enterprise" }, "REV-1"));
  await drain(t);
  // v2: the severity moves (ticket update).
  await send("t2", ticket("REV-1", 2, { severity: "S2", accountId: "ACC-R1", customerName: "Northwind" }));
  await drain(t);
  // v3: a bundle and a routine note in one refresh.
  await send("b1", bundle("REV-1", "BND-R1", 1));
  await send("t3", ticket("REV-1", 3, { severity: "S2", accountId: "ACC-R1", customerName: "Northwind", notes: [note("n1", "HAR received", 3)] }));
  await drain(t);
  // v4 held: an S4 incident against the S2 ticket.
  await send("i1", incident("INC-R1", 1, { caseIds: ["REV-1"], severity: "S4", affectedAccounts: ["ACC-R1"] }));
  await drain(t);
  // A second case, S1 Checkout, no exception.
  await send("t-other", ticket("REV-2", 1, { severity: "S1", productArea: "checkout-web", accountId: "ACC-R2", customerName: "Contoso" }));
  await drain(t);
  // A stale delivery of REV-2's ticket.
  await send("t-stale", ticket("REV-2", 1, { severity: "S4", productArea: "checkout-web", accountId: "ACC-R2", customerName: "Contoso" }));
  await drain(t);
  await t.db.refusal.create({ data: { id: "ref_test_1", sourceName: "ticketing", httpStatus: 401, reason: "signature does not match", webhookId: "msg_forged" } });
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe("records list", () => {
  it("filters by severity, product, exception and search, and counts before paging", async () => {
    expect((await list({})).total).toBe(2);
    expect((await list({ severity: ["S1"] })).rows.map((r) => r.id)).toEqual(["REV-2"]);
    expect((await list({ product: ["billing-api"] })).rows.map((r) => r.id)).toEqual(["REV-1"]);
    expect((await list({ hasException: true })).rows.map((r) => r.id)).toEqual(["REV-1"]);
    expect((await list({ hasException: false })).rows.map((r) => r.id)).toEqual(["REV-2"]);
    expect((await list({ q: "contoso" })).rows.map((r) => r.id)).toEqual(["REV-2"]);
    expect((await list({ q: "acc-r1" })).rows.map((r) => r.id)).toEqual(["REV-1"]);
    const first = await list({ pageSize: 10 });
    expect(first).toMatchObject({ total: 2, totalCapped: false, next: null, prev: null });
    // A filtered list is counted (up to 1,000); an unfiltered one comes from the records counter.
    expect(await list({ q: "northwind" })).toMatchObject({ total: 1, totalCapped: false });
  });

  it("filters by the cause of the last change on either database", async () => {
    // REV-1's current version is v3: new diagnostics plus a routine note.
    expect((await list({ cause: "diagnostics" })).rows.map((r) => r.id)).toEqual(["REV-1"]);
    expect((await list({ cause: "routine_carry_forward" })).rows.map((r) => r.id)).toEqual(["REV-1"]);
    expect((await list({ cause: "ticket_update" })).rows.map((r) => r.id)).toEqual(["REV-2"]);
    expect((await list({ cause: "manual_override" })).total).toBe(0);
    expect((await list({ cause: "diagnostics", severity: ["S1"] })).total).toBe(0);
  });

  it("sorts by case, both ways", async () => {
    expect((await list({ sort: "case", dir: "asc" })).rows.map((r) => r.id)).toEqual(["REV-1", "REV-2"]);
    expect((await list({ sort: "case", dir: "desc" })).rows.map((r) => r.id)).toEqual(["REV-2", "REV-1"]);
  });

  it("searches substrings literally: LIKE wildcards in the search are plain characters", async () => {
    expect((await list({ q: "orthwin" })).rows.map((r) => r.id)).toEqual(["REV-1"]);
    expect((await list({ q: "%" })).total).toBe(0);
    expect((await list({ q: "REV_1" })).total).toBe(0);
    expect((await list({ q: "rev-" })).total).toBe(2);
  });
});

describe("record page", () => {
  it("gives the header, the current version and the live exception with its held candidate", async () => {
    const ov = await getRecordOverview(t.db, "REV-1");
    expect(ov.current?.version).toBe(3);
    expect(ov.case.tier).toBe("enterprise");
    expect(ov.case.slaMinutes).toBe(30);
    expect(ov.case.productName).toBe("Billing API");
    expect(ov.openExceptions).toHaveLength(1);
    expect(ov.openExceptions[0]).toMatchObject({ rule: "SEVERITY_CONFLICT", candidateVersion: 4, field: "case.severity" });
    expect(ov.openExceptions[0]!.message).toContain("S4");
    await expect(getRecordOverview(t.db, "NO-SUCH-CASE")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("lists the timeline newest first with each version's changed-field count", async () => {
    const tl = await listRecordVersions(t.db, { caseId: "REV-1" });
    expect(tl.total).toBe(4);
    expect(tl.versions.map((v) => [v.version, v.status])).toEqual([
      [4, "held"],
      [3, "current"],
      [2, "superseded"],
      [1, "superseded"],
    ]);
    expect(tl.versions.find((v) => v.version === 2)!.changedFields).toBe(1);
    expect(tl.versions.find((v) => v.version === 3)!.causes).toEqual(["diagnostics", "routine_carry_forward"]);
    // Bounded: the newest versions only, with the total to offer more.
    const newest = await listRecordVersions(t.db, { caseId: "REV-1", limit: 2 });
    expect(newest.versions.map((v) => v.version)).toEqual([4, 3]);
    expect(newest.total).toBe(4);
    await expect(listRecordVersions(t.db, { caseId: "NO-SUCH-CASE" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("compares any two versions with the engine's causes", async () => {
    const c = await compareVersions(t.db, "REV-1", 1, 3);
    const byPath = new Map(c.delta.map((d) => [d.path, d]));
    expect(byPath.get("/case/severity")).toMatchObject({ before: "S3", after: "S2", cause: "ticket_update" });
    expect(byPath.get("/notes/0")).toMatchObject({ before: null, cause: "routine_carry_forward" });
    expect(byPath.get("/artifacts/0")).toMatchObject({ before: null, cause: "diagnostics" });
    // Held candidate against current: only the incident differs.
    const held = await compareVersions(t.db, "REV-1", 3, 4);
    expect(held.delta.map((d) => [d.path, d.cause])).toEqual([["/incidents/0", "incident_change"]]);
    expect(held.to.status).toBe("held");
    await expect(compareVersions(t.db, "REV-1", 1, 99)).rejects.toBeInstanceOf(AppError);
  });

  it("drills into a field: the source version it came from and its history with causes", async () => {
    // In v2 the value came from ticket version 2; v3 carries the same value from ticket version 3.
    const f2 = await getFieldHistory(t.db, "REV-1", "/case/severity", 2);
    expect(f2.lineage).toMatchObject({ source: "ticketing", entityVersion: 2, webhookId: hooks.t2 });
    const f = await getFieldHistory(t.db, "REV-1", "/case/severity", 3);
    expect(f.lineage).toMatchObject({ source: "ticketing", entityVersion: 3, webhookId: hooks.t3 });
    expect(f.history.map((h) => [h.version, h.before, h.after, h.cause])).toEqual([
      [2, "S3", "S2", "ticket_update"],
      [1, null, "S3", "ticket_update"],
    ]);
    expect(f.eventIds[`ticketing/${hooks.t3}`]).toMatch(/^evt_/);
    expect(f.eventIds[`ticketing/${hooks.t2}`]).toMatch(/^evt_/);
    // A field inside a list item: its lineage is the item's, its history the item's addition.
    const inc = await getFieldHistory(t.db, "REV-1", "/incidents/0/severity", 4);
    expect(inc.lineage).toMatchObject({ source: "incident", entityId: "INC-R1" });
    expect(inc.history.map((h) => [h.version, h.path])).toEqual([[4, "/incidents/0"]]);
    await expect(getFieldHistory(t.db, "REV-1", "case.severity", 3)).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("exception queue", () => {
  it("counts per status, measures age against the exception SLA (not the customer's response SLA) and follows a claim", async () => {
    const open = await listExceptionQueue(t.db, { status: "open", pageSize: 50 });
    expect(open.counts).toEqual({ open: 1, claimed: 0, resolved: 0 });
    expect(open.countsCapped).toEqual({ open: false, claimed: false, resolved: false });
    // The case's tier answers customers within 30 minutes; exceptions have their own SLA (default 60).
    expect(open.rows[0]).toMatchObject({ caseId: "REV-1", rule: "SEVERITY_CONFLICT", slaMinutes: 60, candidateVersion: 4, field: "case.severity" });
    const specialist = await createUser(t.db, "specialist", "Sam");
    await claimException(t, specialist, open.rows[0]!.id);
    const claimed = await listExceptionQueue(t.db, { status: "claimed", claimedById: specialist.id!, pageSize: 50 });
    expect(claimed.rows.map((r) => r.claimedBy?.name)).toEqual(["Sam"]);
    expect(claimed.counts).toEqual({ open: 0, claimed: 1, resolved: 0 });
    expect((await listExceptionQueue(t.db, { status: "claimed", rule: "SCHEMA_INVALID", pageSize: 50 })).total).toBe(0);

    const detail = await getExceptionDetail(t.db, open.rows[0]!.id);
    expect(detail.hits[0]!.evidence.map((e) => e.value)).toEqual(["S2", "S4"]);
    expect(detail.hits[0]!.evidence[1]!.lineage).toMatchObject({ source: "incident", entityId: "INC-R1" });
    expect(detail.candidate).toMatchObject({ version: 4, status: "held" });
    expect(detail.audit.map((a) => a.action)).toEqual(["exception.claim"]);
  });
});

describe("event log", () => {
  it("lists newest first with per-case outcomes; filters by case (fan-out included), status, source and id", async () => {
    const all = await listEvents(t.db, { pageSize: 50 });
    expect(all.total).toBe(8);
    expect(all.rows[0]!.webhookId).toBe(hooks["t-stale"]);
    expect(all.rows[0]!.status).toBe("stale");
    // The entitlement was posted for "*"-style routing but reached REV-1 through fan-out.
    const rev1 = await listEvents(t.db, { caseId: "REV-1", pageSize: 50 });
    expect(rev1.rows.map((r) => r.webhookId).sort()).toEqual([hooks.t1, hooks.e1, hooks.t2, hooks.b1, hooks.t3, hooks.i1].sort());
    expect(rev1.rows.find((r) => r.webhookId === hooks.t2)!.cases).toEqual([{ caseId: "REV-1", outcome: "applied", recordVersion: 2 }]);
    expect(rev1.rows.find((r) => r.webhookId === hooks.i1)!.status).toBe("held");
    expect((await listEvents(t.db, { status: ["stale"], pageSize: 50 })).rows.map((r) => r.webhookId)).toEqual([hooks["t-stale"]]);
    expect((await listEvents(t.db, { source: "diagnostics", pageSize: 50 })).rows.map((r) => r.webhookId)).toEqual([hooks.b1]);
    expect((await listEvents(t.db, { q: hooks.t1, pageSize: 50 })).total).toBe(1);
    expect((await listEvents(t.db, { q: "INC-R1", pageSize: 50 })).total).toBe(1);
    expect((await listEvents(t.db, { from: new Date(Date.now() + 60_000), pageSize: 50 })).total).toBe(0);
  });

  it("shows one event with its body and the versions it produced, and refusals apart", async () => {
    const row = (await listEvents(t.db, { q: hooks.t3, pageSize: 50 })).rows[0]!;
    const e = await getEvent(t.db, row.id);
    expect(e).toMatchObject({ source: "ticketing", entityVersion: 3, status: "applied" });
    expect(e.cases).toEqual([{ caseId: "REV-1", outcome: "applied", recordVersion: 3 }]);
    expect((e.data as { notes: unknown[] }).notes).toHaveLength(1);
    await expect(getEvent(t.db, "evt_missing")).rejects.toMatchObject({ code: "NOT_FOUND" });
    const refusals = await listRefusals(t.db, { pageSize: 50 });
    expect(refusals.rows.map((r) => [r.httpStatus, r.webhookId])).toEqual([[401, "msg_forged"]]);
    expect((await listRefusals(t.db, { source: "incident", pageSize: 50 })).total).toBe(0);
  });
});

describe("dashboard overview", () => {
  it("counts records, outcomes, exceptions per rule and the backlog from the write path's rollups", async () => {
    const d = await getDashboard(t.db, "24h");
    expect(d).toMatchObject({ records: 2, withExceptions: 1, totalEvents: 8 });
    expect(d.intake.refused).toBe(1);
    expect(d.backlog.now).toBe(0);
    expect(d.events.stale).toBe(1);
    expect(d.events.held).toBe(1);
    expect(d.exceptions).toEqual([{ rule: "SEVERITY_CONFLICT", opened: 1, open: 0, claimed: 1, approve: 0, reject: 0, override: 0, cleared: 0 }]);
    expect(d.latency.events).toBeGreaterThan(0);
  });
});
