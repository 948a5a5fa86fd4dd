import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimException, resolveException } from "../exceptions/resolve-exception";
import { AppError } from "../lib/errors";
import { incident, ticket } from "../../dev/testing/events";
import { ingestAndDrain } from "../../dev/testing/ingest";
import { bearerHeaders, createRoleUsers, createUserRow, installTestRuntime, sessionHeaders, type TestRuntime } from "../../dev/testing/auth";
import { createCallerFactory, createTRPCContext } from "./init";
import { appRouter } from "./routers/_app";

/** Checks on particular objects, beyond the role gate: whose exception, whose session. */
const createCaller = createCallerFactory(appRouter);
let t: TestRuntime;
let users: Awaited<ReturnType<typeof createRoleUsers>>;

async function callerOf(userId: string) {
  return createCaller(await createTRPCContext({ headers: await sessionHeaders(t.rt.db, userId) }));
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "OK";
  } catch (err) {
    if (err instanceof TRPCError || err instanceof AppError) return err.code;
    throw err;
  }
}

async function openException(caseId: string): Promise<string> {
  await ingestAndDrain(t.tdb, ticket(caseId, 1, { severity: "S1" }), incident(`INC-${caseId}`, 1, { severity: "S3", caseIds: [caseId] }));
  const exc = await t.rt.db.caseException.findFirst({ where: { caseId, status: "open" }, select: { id: true } });
  if (!exc) throw new Error(`no exception opened for ${caseId}`);
  return exc.id;
}

beforeAll(async () => {
  t = await installTestRuntime();
  users = await createRoleUsers(t.rt.db);
});
afterAll(async () => t.close());

describe("exceptions belong to whoever claimed them", () => {
  it("a specialist cannot resolve or take over an exception claimed by someone else until it is reassigned", async () => {
    const id = await openException("CASE-OBJ-1");
    const sam = await callerOf(users.specialist.id);
    const riley = await callerOf(users.specialist2.id);
    const alex = await callerOf(users.admin.id);

    await sam.exceptions.claim({ id });
    expect(await codeOf(riley.exceptions.resolve({ id, kind: "approve", note: "looks fine to me" }))).toBe("FORBIDDEN");
    expect(await codeOf(riley.exceptions.claim({ id }))).toBe("CONFLICT");
    expect(await codeOf(riley.exceptions.unclaim({ id }))).toBe("FORBIDDEN");
    // Refused unclaim, refused takeover: assign is no way around the claim.
    expect(await codeOf(riley.exceptions.assign({ id, assigneeId: users.specialist2.id }))).toBe("FORBIDDEN");
    expect((await t.rt.db.caseException.findUniqueOrThrow({ where: { id } })).status).toBe("claimed");
    expect((await t.rt.db.caseException.findUniqueOrThrow({ where: { id } })).claimedById).toBe(users.specialist.id);

    await alex.exceptions.assign({ id, assigneeId: users.specialist2.id });
    expect(await codeOf(sam.exceptions.resolve({ id, kind: "approve", note: "mine after all" }))).toBe("FORBIDDEN");
    await riley.exceptions.resolve({ id, kind: "approve", note: "incident severity confirmed by on-call" });
    const done = await t.rt.db.caseException.findUniqueOrThrow({ where: { id } });
    expect([done.status, done.resolvedById]).toEqual(["resolved", users.specialist2.id]);
    const trail = await t.rt.db.auditLog.findMany({ where: { targetId: id }, orderBy: { createdAt: "asc" }, select: { action: true, actorId: true, note: true } });
    expect(trail.map((e) => e.action)).toEqual(["exception.claim", "exception.assign", "exception.approve"]);
    expect(trail[2]).toMatchObject({ actorId: users.specialist2.id, note: "incident severity confirmed by on-call" });
  });

  it("an exception is assigned only to an active specialist or admin: a disabled one is a 400", async () => {
    const id = await openException("CASE-OBJ-4");
    const alex = await callerOf(users.admin.id);
    const gone = await createUserRow(t.rt.db, "specialist", { name: "Departed specialist" });
    await t.rt.db.user.update({ where: { id: gone.id }, data: { disabledAt: new Date() } });
    expect(await codeOf(alex.exceptions.assign({ id, assigneeId: gone.id }))).toBe("BAD_REQUEST");
    expect(await codeOf(alex.exceptions.assign({ id, assigneeId: users.duty_manager.id }))).toBe("BAD_REQUEST");
    expect((await t.rt.db.caseException.findUniqueOrThrow({ where: { id } })).status).toBe("open");
    await alex.exceptions.assign({ id, assigneeId: users.specialist2.id });
    expect((await t.rt.db.caseException.findUniqueOrThrow({ where: { id } })).claimedById).toBe(users.specialist2.id);
  });

  it("the domain layer refuses duty managers even when called directly", async () => {
    const id = await openException("CASE-OBJ-2");
    const dm = { id: users.duty_manager.id, label: users.duty_manager.name, role: "duty_manager" as const };
    expect(await codeOf(claimException(t.tdb, dm, id))).toBe("FORBIDDEN");
    expect(await codeOf(resolveException(t.tdb, dm, id, { kind: "approve", note: "no" }))).toBe("FORBIDDEN");
  });

  it("a bearer token cannot call mutations, even with a valid token", async () => {
    const id = await openException("CASE-OBJ-3");
    const viaToken = createCaller(await createTRPCContext({ headers: bearerHeaders() }));
    expect(await codeOf(viaToken.exceptions.claim({ id }))).toBe("UNAUTHORIZED");
    expect(await codeOf(viaToken.adminTokens.create({ name: "escalate" }))).toBe("UNAUTHORIZED");
    expect((await t.rt.db.caseException.findUniqueOrThrow({ where: { id } })).status).toBe("open");
  });
});

describe("sessions belong to their user", () => {
  it("nobody can revoke another user's session through auth.revokeSession", async () => {
    const victim = await callerOf(users.duty_manager.id);
    const victimSessions = await victim.auth.sessions();
    const target = victimSessions.find((s) => s.current)!;
    const attacker = await callerOf(users.admin.id);
    expect(await codeOf(attacker.auth.revokeSession({ id: target.id }))).toBe("NOT_FOUND");
    expect((await t.rt.db.session.findUniqueOrThrow({ where: { id: target.id } })).revokedAt).toBeNull();
  });
});
