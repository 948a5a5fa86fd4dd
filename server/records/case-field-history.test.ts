import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimException, resolveException } from "../exceptions/resolve-exception";
import { AppError } from "../lib/errors";
import { drain } from "../refresh/process-events";
import { createUser } from "../../dev/testing/refresh";
import { bundle, incident, nextWebhookId, ticket } from "../../dev/testing/events";
import { ingest } from "../../dev/testing/ingest";
import { createTestDb, type TestDb } from "../../dev/testing/test-db";
import { CSV_HEADER, historyCsv } from "../../components/record/field-history-csv";
import { getCaseFieldHistory } from "./case-field-history";
import { listRecordVersions } from "./list-record-versions";

/** The case-wide field history: every delta entry of every version, in people's words. */
let t: TestDb;
const CASE = "CASE-HIST";

beforeAll(async () => {
  t = await createTestDb();
  await ingest(t, ticket(CASE, 1, { severity: "S2" }), nextWebhookId());
  await drain(t);
  await ingest(t, bundle(CASE, "BND-HIST-1", 1), nextWebhookId());
  await drain(t);
  await ingest(t, bundle(CASE, "BND-HIST-2", 1), nextWebhookId());
  await drain(t);
  // Held (S4 incident against an S2 ticket), then overridden by a specialist.
  await ingest(t, incident("INC-HIST", 1, { caseIds: [CASE], severity: "S4" }), nextWebhookId());
  await drain(t);
  const specialist = await createUser(t.db, "specialist", "Noor");
  const exc = await t.db.caseException.findFirstOrThrow({ where: { caseId: CASE } });
  await claimException(t, specialist, exc.id);
  await resolveException(t, specialist, exc.id, { kind: "override", note: "Customer impact is S2", path: "/case/severity", value: "S2" });
});
afterAll(async () => {
  await t?.close();
});

describe("getCaseFieldHistory", () => {
  it("has one row per delta entry of every version, newest version first", async () => {
    const h = await getCaseFieldHistory(t.db, CASE);
    const entries = await t.db.deltaEntry.findMany({ where: { caseId: CASE }, select: { path: true, version: { select: { version: true } } } });
    expect(h.rows).toHaveLength(entries.length);
    expect(new Set(h.rows.map((r) => `${r.version}${r.path}`))).toEqual(new Set(entries.map((e) => `${e.version.version}${e.path}`)));
    const versions = h.rows.map((r) => r.version);
    expect(versions).toEqual([...versions].sort((a, b) => b - a));
    expect(h.truncated).toBe(false);
  });

  it("names fields and list items in the tables' words, never as JSON paths", async () => {
    const h = await getCaseFieldHistory(t.db, CASE);
    for (const r of h.rows) expect(r.label).not.toMatch(/\/|#\d/);
    const bundleRow = h.rows.find((r) => r.cause === "diagnostics" && r.path.startsWith("/artifacts/1"));
    expect(bundleRow?.label).toContain("BND-HIST-2");
  });

  it("says who made a change a person's, where it came from, and whether its version was ever current", async () => {
    const h = await getCaseFieldHistory(t.db, CASE);
    const override = h.rows.find((r) => r.cause === "manual_override" && r.path === "/case/severity");
    expect(override).toMatchObject({ who: "Noor", source: "manual_override", becameCurrent: true });
    const ticketRow = h.rows.find((r) => r.version === 1 && r.source === "ticketing");
    expect(ticketRow).toMatchObject({ who: null, entityVersion: 1, becameCurrent: true });
    expect(ticketRow?.occurredAt).toMatch(/^\d{4}-/);
    // The held candidate that the override replaced was never current.
    const exc = await t.db.caseException.findFirstOrThrow({ where: { caseId: CASE } });
    const heldRows = h.rows.filter((r) => r.version === exc.candidateVersion);
    expect(heldRows.length).toBeGreaterThan(0);
    expect(heldRows.every((r) => !r.becameCurrent && r.status === "superseded")).toBe(true);
  });

  it("exports one CSV line per change, quoted per RFC 4180, formulas defused", async () => {
    const h = await getCaseFieldHistory(t.db, CASE);
    const csv = historyCsv(h.rows);
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toBe(CSV_HEADER.join(","));
    expect(csv.match(/^v\d+,|,v\d+,/gm)?.length).toBe(h.rows.length);
    const tricky = historyCsv([{ ...h.rows[0]!, label: 'Say "hi", then', after: "=HYPERLINK(1)", before: { a: 1 }, who: "x\ny" }]);
    expect(tricky).toContain('"Say ""hi"", then"');
    expect(tricky).toContain(",'=HYPERLINK(1),");
    expect(tricky).toContain('"{""a"":1}"');
    expect(tricky).toContain('"x\ny"');
  });

  it("the timeline tells a replaced candidate from a once-current version, with the source's occurredAt", async () => {
    const exc = await t.db.caseException.findFirstOrThrow({ where: { caseId: CASE } });
    const { versions } = await listRecordVersions(t.db, { caseId: CASE });
    const replaced = versions.find((v) => v.version === exc.candidateVersion)!;
    expect(replaced).toMatchObject({ status: "superseded", becameCurrentAt: null });
    for (const v of versions.filter((v) => v.version !== exc.candidateVersion)) expect(v.becameCurrentAt).toBeInstanceOf(Date);
    const first = versions.find((v) => v.version === 1)!;
    expect(first.occurredAt).toBeInstanceOf(Date);
    expect(first.receivedAt!.getTime()).toBeGreaterThanOrEqual(first.occurredAt!.getTime());
  });

  it("404 for a case with no versions", async () => {
    const err = await getCaseFieldHistory(t.db, "CASE-NONE").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("NOT_FOUND");
  });
});
