import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { decrypt } from "../lib/crypto";
import type { Actor } from "../lib/audit";
import { ticket } from "../../dev/testing/events";
import { ingest } from "../../dev/testing/ingest";
import { drain } from "../refresh/process-events";
import { createTestDb, TEST_SECRET_KEY, type TestDb } from "../../dev/testing/test-db";
import { onboardSource } from "./onboard-source";

const admin: Actor = { id: "usr_onboard_admin", label: "Alex Admin", role: "admin" };
const specialist: Actor = { id: "usr_onboard_spec", label: "Sam Specialist", role: "specialist" };
const secrets = { key: TEST_SECRET_KEY, envSecrets: {} as Record<string, string[]> };

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.close();
});

describe("onboardSource", () => {
  it("creates a source of an existing kind whose fields start under review, with a new secret shown once", async () => {
    const made = await onboardSource(t, secrets, admin, { name: "ticketing-emea", kind: "ticketing", note: "EMEA desk" });
    expect(made).toMatchObject({ name: "ticketing-emea", kind: "ticketing", secretsFrom: "database", secret: expect.stringMatching(/^whsec_/) });
    const row = await t.db.source.findUniqueOrThrow({ where: { name: "ticketing-emea" }, include: { secrets: true } });
    expect(row).toMatchObject({ kind: "ticketing", builtIn: false, enabled: true, defaultPolicy: "review", rateLimitPerSec: 1000, rateLimitBurst: 5000 });
    expect(row.secrets).toHaveLength(1);
    expect(row.secrets[0]!.cipherText).not.toContain(made.secret!.slice(6));
    expect(decrypt(TEST_SECRET_KEY, row.secrets[0]!.cipherText)).toBe(made.secret);
    // Intake sees it at once (no cache delay), with its secret.
    expect((await t.registry.get("ticketing-emea"))?.secrets).toEqual([made.secret]);
    expect(await t.db.auditLog.count({ where: { action: "source.onboard", targetId: made.id, actorLabel: "Alex Admin", note: "EMEA desk" } })).toBe(1);
  });

  it("holds what the new source says for review (REVIEW_REQUIRED), while built-in sources stay automatic", async () => {
    await ingest(t, ticket("CASE-O1", 1, {}, "TCK-O1"));
    await drain(t);
    expect(await t.db.recordVersion.count({ where: { caseId: "CASE-O1", status: "current" } })).toBe(1);
    await ingest(t, ticket("CASE-O1", 1, { status: "pending" }, "EMEA-O1"), undefined, "ticketing-emea");
    await drain(t);
    const open = await t.db.caseException.findMany({ where: { caseId: "CASE-O1", liveKey: { not: null } }, select: { rule: true, sourceName: true, field: true } });
    expect(open).toEqual([{ rule: "REVIEW_REQUIRED", sourceName: "ticketing-emea", field: "case.status" }]);
  });

  it("refuses a taken name, a malformed name, an unknown kind and a non-admin", async () => {
    await expect(onboardSource(t, secrets, admin, { name: "ticketing-emea", kind: "ticketing" })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(onboardSource(t, secrets, admin, { name: "ticketing", kind: "ticketing" })).rejects.toMatchObject({ code: "CONFLICT" });
    for (const name of ["Ticketing-EU", "-emea", "emea--desk", "a", "e mea", "x".repeat(61)]) {
      await expect(onboardSource(t, secrets, admin, { name, kind: "ticketing" }), name).rejects.toBeInstanceOf(ZodError);
    }
    await expect(onboardSource(t, secrets, admin, { name: "crm", kind: "crm" as never })).rejects.toBeInstanceOf(ZodError);
    await expect(onboardSource(t, secrets, specialist, { name: "ticketing-apac", kind: "ticketing" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(onboardSource(t, secrets, admin, { name: "ticketing-apac", kind: "ticketing", rateLimitPerSec: 100, rateLimitBurst: 10 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await t.db.source.count({ where: { name: "ticketing-apac" } })).toBe(0);
  });

  it("uses WEBHOOK_SECRET_<NAME> when set, and needs a key to store a secret otherwise", async () => {
    const envSecret = "whsec_" + Buffer.alloc(32, 3).toString("base64");
    const made = await onboardSource(t, { key: TEST_SECRET_KEY, envSecrets: { "diagnostics-vendor": [envSecret] } }, admin, { name: "diagnostics-vendor", kind: "diagnostics" });
    expect(made).toMatchObject({ secret: null, secretsFrom: "env" });
    expect(await t.db.sourceSecret.count({ where: { sourceId: made.id } })).toBe(0);
    await expect(onboardSource(t, { key: null, envSecrets: {} }, admin, { name: "incident-pager", kind: "incident" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("WEBHOOK_SECRET_INCIDENT_PAGER"),
    });
    expect(await t.db.source.count({ where: { name: "incident-pager" } })).toBe(0);
  });
});
