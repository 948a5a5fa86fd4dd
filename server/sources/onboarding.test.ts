import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getEventStatus } from "../api/read-api";
import type { Actor } from "../lib/audit";
import { drain } from "../refresh/process-events";
import { caseState, createUser, currentRecord } from "../../dev/testing/refresh";
import { startIntakeServer } from "../../dev/simulator/intake-server";
import { ticket } from "../../dev/testing/events";
import { ingestAndDrain } from "../../dev/testing/ingest";
import { createTestDb, TEST_SECRET_KEY, TEST_DB_KIND, type TestDb } from "../../dev/testing/test-db";
import { listPolicies, setFieldPolicies } from "../ops/governance/manage-policies";
import { listSources, onboardNewSource, setSourceEnabled, setSourceRateLimit } from "./manage-sources";
import { POLICY_FIELDS } from "../ops/governance/policy-fields";
import { expectAppError, occurredAt, postAs } from "../../dev/testing/ops";

/**
 * Issue 7's onboarding story over the real HTTP intake: a new source of an existing kind is
 * accepted at once with the secret shown once, every field it writes waits for review, and once
 * an admin widens a field the next change to it applies by itself.
 */
let t: TestDb;
let server: Awaited<ReturnType<typeof startIntakeServer>>;
let admin: Actor;
let specialist: Actor;
const secrets = { key: TEST_SECRET_KEY, envSecrets: {} as Record<string, string[]> };

beforeAll(async () => {
  t = await createTestDb();
  server = await startIntakeServer({ ...t, secrets });
  admin = await createUser(t.db, "admin", "Ada Admin");
  specialist = await createUser(t.db, "specialist", "Sam Specialist");
});
afterAll(async () => {
  await server?.close();
  await t?.close();
});

describe(`source onboarding (${TEST_DB_KIND})`, () => {
  it("a new ticketing source: accepted at once, every field on review, widened field applies automatically", async () => {
    const made = await onboardNewSource(t, secrets, admin, { name: "ticketing-emea", kind: "ticketing", rateLimitPerSec: 50, rateLimitBurst: 200, note: "EMEA desk runs its own ticketing" });
    expect(made.secret).toMatch(/^whsec_/);
    expect(made.webhookPath).toBe("/api/webhooks/ticketing-emea");
    expect(made.envVar).toBe("WEBHOOK_SECRET_TICKETING_EMEA");
    // Shown once: at rest it is only the encrypted form and a four-character hint.
    const stored = await t.db.sourceSecret.findMany({ where: { source: { name: "ticketing-emea" } } });
    expect(stored).toHaveLength(1);
    expect(stored[0]!.cipherText).not.toContain(made.secret!.slice(6));
    expect(stored[0]!.hint.length).toBeLessThanOrEqual(8);
    expect(made.secret).toContain(stored[0]!.hint);

    const policies = await listPolicies(t.db, admin);
    const emea = policies.find((p) => p.name === "ticketing-emea")!;
    expect(emea.fields.map((f) => f.field)).toEqual([...POLICY_FIELDS.ticketing]);
    expect(new Set(emea.fields.map((f) => f.mode))).toEqual(new Set(["review"]));
    expect(policies.find((p) => p.name === "ticketing")!.fields.every((f) => f.mode === "auto")).toBe(true);
    const listed = (await listSources(t.db, secrets, admin)).sources.find((s) => s.name === "ticketing-emea")!;
    expect(listed).toMatchObject({ enabled: true, builtIn: false, rateLimitPerSec: 50, rateLimitBurst: 200, reviewFields: POLICY_FIELDS.ticketing.length, activeSecrets: 1 });

    // The case exists from the built-in ticketing system (auto): version 1 is current.
    await ingestAndDrain(t, ticket("CASE-ON1", 1, { severity: "S2" }));
    expect((await caseState(t.db, "CASE-ON1")).current).toBe(1);

    // The EMEA desk's ticket of the same case raises the severity one level: held for review.
    const first = await postAs(server.url, "ticketing-emea", made.secret!, occurredAt(ticket("CASE-ON1", 1, { severity: "S3" }, "TCK-EMEA-1"), "2026-11-27T01:00:00.000Z"));
    expect(first.status).toBe(202);
    expect(first.body.status).toBe("accepted");
    await drain(t);
    const held = await caseState(t.db, "CASE-ON1");
    expect(held.current).toBe(1);
    expect(held.live.map((e) => e.rule)).toEqual(["REVIEW_REQUIRED"]);
    const exc = await t.db.caseException.findUniqueOrThrow({ where: { id: held.live[0]!.id } });
    expect(exc).toMatchObject({ sourceName: "ticketing-emea", field: "case.severity", status: "open" });
    expect((await getEventStatus(t.db, "ticketing-emea", first.webhookId)).status).toBe("held");
    expect((await currentRecord(t.db, "CASE-ON1"))!.record.case).toMatchObject({ severity: "S2" });

    // Widen the one field; the change is audited with before, after and the note.
    const change = await setFieldPolicies(t, admin, { source: "ticketing-emea", fields: ["case.severity"], mode: "auto", note: "EMEA severity is triaged by duty managers" });
    expect(change.changed).toEqual([{ field: "case.severity", before: "review", after: "auto" }]);
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { action: "policy.set", targetId: made.id } });
    expect(audit).toMatchObject({ actorId: admin.id, note: "EMEA severity is triaged by duty managers" });
    expect(audit.before).toMatchObject({ field: "case.severity", mode: "review", explicit: false });
    expect(audit.after).toMatchObject({ field: "case.severity", mode: "auto" });

    // The next EMEA change to severity applies by itself and clears the exception.
    const second = await postAs(server.url, "ticketing-emea", made.secret!, occurredAt(ticket("CASE-ON1", 2, { severity: "S4" }, "TCK-EMEA-1"), "2026-11-27T02:00:00.000Z"));
    expect(second.status).toBe(202);
    await drain(t);
    const after = await caseState(t.db, "CASE-ON1");
    expect(after.live).toEqual([]);
    const current = (await currentRecord(t.db, "CASE-ON1"))!;
    expect(current.record.case).toMatchObject({ severity: "S4" });
    expect(current.lineage["/case/severity"]).toMatchObject({ source: "ticketing-emea", entityId: "TCK-EMEA-1", entityVersion: 2, webhookId: second.webhookId });
    expect((await getEventStatus(t.db, "ticketing-emea", second.webhookId)).status).toBe("applied");
    expect(await t.db.caseException.findUniqueOrThrow({ where: { id: exc.id } })).toMatchObject({ status: "resolved", resolution: "cleared" });

    // Still on review: the subject. A subject change from EMEA is held again.
    await postAs(server.url, "ticketing-emea", made.secret!, occurredAt(ticket("CASE-ON1", 3, { severity: "S4", subject: "Renamed by EMEA" }, "TCK-EMEA-1"), "2026-11-27T03:00:00.000Z"));
    await drain(t);
    const again = await caseState(t.db, "CASE-ON1");
    expect(again.live.map((e) => e.rule)).toEqual(["REVIEW_REQUIRED"]);
    expect(await t.db.caseException.findUniqueOrThrow({ where: { id: again.live[0]!.id } })).toMatchObject({ field: "case.subject" });
  });

  it("disable, enable and rate limits: effective at intake at once, audited with before and after", async () => {
    const made = await onboardNewSource(t, secrets, admin, { name: "ticketing-apac", kind: "ticketing", note: "APAC desk" });
    const post = (version: number) => postAs(server.url, "ticketing-apac", made.secret!, ticket(`CASE-AP${version}`, 1, {}, `TCK-AP-${version}`));
    expect((await post(1)).status).toBe(202);

    await setSourceEnabled(t, admin, { source: "ticketing-apac", enabled: false, note: "APAC desk migrating" });
    const refused = await post(2);
    expect(refused.status).toBe(404);
    expect(await t.db.refusal.count({ where: { sourceName: "ticketing-apac", httpStatus: 404 } })).toBe(1);
    await setSourceEnabled(t, admin, { source: "ticketing-apac", enabled: true, note: "migration done" });
    expect((await post(3)).status).toBe(202);
    const toggles = await t.db.auditLog.findMany({ where: { targetId: made.id, action: { in: ["source.disable", "source.enable"] } }, orderBy: { createdAt: "asc" } });
    expect(toggles.map((a) => [a.action, a.before, a.after, a.note])).toEqual([
      ["source.disable", { source: "ticketing-apac", enabled: true }, { source: "ticketing-apac", enabled: false }, "APAC desk migrating"],
      ["source.enable", { source: "ticketing-apac", enabled: false }, { source: "ticketing-apac", enabled: true }, "migration done"],
    ]);

    await setSourceRateLimit(t, admin, { source: "ticketing-apac", perSec: 1, burst: 1, note: "protect the queue while APAC replays" });
    const limit = await t.db.auditLog.findFirstOrThrow({ where: { targetId: made.id, action: "source.rate_limit" } });
    expect(limit.before).toEqual({ source: "ticketing-apac", rateLimitPerSec: 1000, rateLimitBurst: 5000 });
    expect(limit.after).toEqual({ source: "ticketing-apac", rateLimitPerSec: 1, rateLimitBurst: 1 });
    const statuses: number[] = [];
    for (let i = 10; i < 15; i++) statuses.push((await post(i)).status);
    expect(statuses).toContain(429);
  });

  it("refuses what an admin must not do: duplicates, missing notes, other roles, fields a kind never writes", async () => {
    await expectAppError(onboardNewSource(t, secrets, admin, { name: "ticketing-emea", kind: "ticketing", note: "again" }), "CONFLICT");
    await expectAppError(onboardNewSource(t, secrets, specialist, { name: "ticketing-latam", kind: "ticketing", note: "not mine" }), "FORBIDDEN");
    await expect(onboardNewSource(t, secrets, admin, { name: "ticketing-latam", kind: "ticketing", note: "" })).rejects.toThrow(/say why/);
    await expect(setSourceEnabled(t, admin, { source: "ticketing-emea", enabled: false, note: " " })).rejects.toThrow(/say why/);
    await expectAppError(setSourceEnabled(t, specialist, { source: "ticketing-emea", enabled: false, note: "nope" }), "FORBIDDEN");
    await expect(setSourceRateLimit(t, admin, { source: "ticketing-emea", perSec: 100, burst: 10, note: "odd" })).rejects.toThrow(/burst/);
    await expectAppError(setFieldPolicies(t, admin, { source: "ticketing-emea", fields: ["incidents"], mode: "auto", note: "wrong kind" }), "BAD_REQUEST");
    await expectAppError(setFieldPolicies(t, specialist, { source: "ticketing-emea", fields: ["case.status"], mode: "auto", note: "not mine" }), "FORBIDDEN");
    await expect(setFieldPolicies(t, admin, { source: "ticketing-emea", fields: ["case.status"], mode: "auto", note: "" })).rejects.toThrow(/say why/);
    expect(await t.db.source.count({ where: { name: "ticketing-latam" } })).toBe(0);
  });
});
