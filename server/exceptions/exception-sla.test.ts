import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoleUsers, installTestRuntime, sessionHeaders, type TestRuntime } from "../../dev/testing/auth";
import { ingestAndDrain } from "../../dev/testing/ingest";
import { entitlement, incident, ticket } from "../../dev/testing/events";
import { createCallerFactory, createTRPCContext } from "../trpc/init";
import { appRouter } from "../trpc/routers/_app";

/**
 * docs/domain.md "Exception SLA": exceptions are measured against their own governance setting (a
 * default, minutes per kind), which an admin edits with a note, never against the customer's response
 * SLA of the case's tier. Driven through tRPC, as the admin screen, the queue and the detail call it.
 */
const createCaller = createCallerFactory(appRouter);
let t: TestRuntime;
let users: Awaited<ReturnType<typeof createRoleUsers>>;
const as = async (role: "admin" | "specialist" | "duty_manager") => createCaller(await createTRPCContext({ headers: await sessionHeaders(t.rt.db, users[role].id) }));

beforeAll(async () => {
  t = await installTestRuntime();
  users = await createRoleUsers(t.rt.db);
});
afterAll(async () => t.close());

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "OK";
  } catch (err) {
    if (err instanceof TRPCError) return `${err.code}: ${err.message}`;
    throw err;
  }
}

describe("exception SLA: its own setting, per kind with a default", () => {
  it("queue and detail use the default, then a kind's own minutes, never the tier's response SLA", async () => {
    // An enterprise case (customer response SLA 30 min) with a severity conflict.
    const caseId = "CASE-XSLA-1";
    await ingestAndDrain(t.tdb, ticket(caseId, 1, { severity: "S1", accountId: "ACC-XSLA-1" }), entitlement("ACC-XSLA-1", 1, { serviceTier: "enterprise" }, caseId));
    await ingestAndDrain(t.tdb, incident("INC-XSLA-1", 1, { caseIds: [caseId], severity: "S3" }));
    const admin = await as("admin");
    const sam = await as("specialist");
    const row = async () => (await sam.exceptions.list({ caseId })).rows.find((r) => r.rule === "SEVERITY_CONFLICT")!;
    const first = await row();
    expect(first).toBeDefined();
    expect((await sam.exceptions.get({ id: first.id })).case.slaMinutes).toBe(30);
    expect(first.slaMinutes).toBe(60);
    expect((await sam.exceptions.get({ id: first.id })).slaMinutes).toBe(60);

    expect(await admin.opsReference.exceptionSlas()).toMatchObject({ defaultMinutes: 60 });
    await admin.opsReference.setExceptionSla({ kind: "SEVERITY_CONFLICT", minutes: 20, note: "severity disputes settle within 20 min" });
    await admin.opsReference.setExceptionSla({ kind: "default", minutes: 240, note: "four hours for everything else" });
    const listed = await admin.opsReference.exceptionSlas();
    expect(listed.defaultMinutes).toBe(240);
    expect(listed.kinds.find((k) => k.kind === "SEVERITY_CONFLICT")).toEqual({ kind: "SEVERITY_CONFLICT", ownMinutes: 20, minutes: 20 });
    expect(listed.kinds.find((k) => k.kind === "SCHEMA_INVALID")).toEqual({ kind: "SCHEMA_INVALID", ownMinutes: null, minutes: 240 });
    expect((await row()).slaMinutes).toBe(20);
    expect((await sam.exceptions.get({ id: first.id })).slaMinutes).toBe(20);

    // Back to the default; the audit log keeps who, what and why.
    await admin.opsReference.setExceptionSla({ kind: "SEVERITY_CONFLICT", minutes: null, note: "use the default again" });
    expect((await row()).slaMinutes).toBe(240);
    const audit = await t.rt.db.auditLog.findMany({ where: { action: "exception_sla.set" }, orderBy: { createdAt: "asc" }, select: { targetId: true, before: true, after: true, note: true } });
    expect(audit).toEqual([
      { targetId: "SEVERITY_CONFLICT", before: { minutes: null }, after: { minutes: 20 }, note: "severity disputes settle within 20 min" },
      { targetId: "default", before: { minutes: 60 }, after: { minutes: 240 }, note: "four hours for everything else" },
      { targetId: "SEVERITY_CONFLICT", before: { minutes: 20 }, after: { minutes: null }, note: "use the default again" },
    ]);
  });

  it("only admins edit it, with a note and sensible minutes; the default cannot be removed", async () => {
    const admin = await as("admin");
    const before = await admin.opsReference.exceptionSlas();
    expect(await code((await as("specialist")).opsReference.setExceptionSla({ kind: "default", minutes: 10, note: "quicker" }))).toMatch(/^FORBIDDEN/);
    expect(await code((await as("duty_manager")).opsReference.exceptionSlas())).toMatch(/^FORBIDDEN/);
    expect(await code(admin.opsReference.setExceptionSla({ kind: "default", minutes: null, note: "remove it" }))).toMatch(/^BAD_REQUEST: the default exception SLA needs minutes/);
    expect(await code(admin.opsReference.setExceptionSla({ kind: "default", minutes: 0, note: "none at all" }))).toMatch(/^BAD_REQUEST/);
    expect(await code(admin.opsReference.setExceptionSla({ kind: "default", minutes: 30, note: "" }))).toMatch(/^BAD_REQUEST/);
    expect(await code(admin.opsReference.setExceptionSla({ kind: "NOT_A_RULE" as "default", minutes: 30, note: "invented kind" }))).toMatch(/^BAD_REQUEST/);
    expect(await admin.opsReference.exceptionSlas()).toEqual(before);
  });
});
