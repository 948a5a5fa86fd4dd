import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROLES, ROLE_RANK, type Role } from "../auth/roles";
import { SESSION_COOKIE } from "../auth/cookies";
import { createSession } from "../auth/session";
import { bearerHeaders, createRoleUsers, installTestRuntime, sessionHeaders, type TestRuntime } from "../../dev/testing/auth";
import { createCallerFactory, createTRPCContext } from "./init";
import { appRouter } from "./routers/_app";

/**
 * Who may call what, for every procedure of the router. The test walks appRouter itself: a
 * procedure added without a line here fails, and so does a line whose procedure is gone.
 * "public" means anyone (signed in or not); a role means that role and every role above it.
 * Bearer tokens open only the read API, never tRPC: they count as anonymous here.
 */
type Access = "public" | Role;
const MATRIX: Record<string, Access> = {
  "me.get": "public",

  "auth.sessions": "duty_manager",
  "auth.revokeSession": "duty_manager",
  "auth.signOutOthers": "duty_manager",

  "records.list": "duty_manager",
  "records.facets": "duty_manager",
  "records.current": "duty_manager",
  "records.versions": "duty_manager",
  "records.version": "duty_manager",
  "records.overview": "duty_manager",
  "records.timeline": "duty_manager",
  "records.compare": "duty_manager",
  "records.fieldHistory": "duty_manager",
  "records.caseHistory": "duty_manager",
  "records.asOf": "duty_manager",

  "events.list": "duty_manager",
  "events.facets": "duty_manager",
  "events.get": "duty_manager",
  "events.refusals": "duty_manager",

  "exceptions.list": "duty_manager",
  "exceptions.facets": "duty_manager",
  "exceptions.get": "duty_manager",
  "exceptions.overrideFields": "duty_manager",
  "exceptions.claim": "specialist",
  "exceptions.unclaim": "specialist",
  "exceptions.assign": "specialist",
  "exceptions.bulkClaim": "specialist",
  "exceptions.resolve": "specialist",

  "adminUsers.list": "admin",
  "adminUsers.create": "admin",
  "adminUsers.update": "admin",
  "adminUsers.setDisabled": "admin",
  "adminUsers.resetPassword": "admin",
  "adminUsers.revokeSessions": "admin",
  "adminTokens.list": "admin",
  "adminTokens.create": "admin",
  "adminTokens.revoke": "admin",
  "adminSecrets.list": "admin",
  "adminSecrets.rotate": "admin",
  "adminSecrets.revoke": "admin",
  "adminOutbound.list": "admin",
  "adminOutbound.get": "admin",
  "adminOutbound.deliveries": "admin",
  "adminOutbound.notices": "admin",
  "adminOutbound.create": "admin",
  "adminOutbound.update": "admin",
  "adminOutbound.setEnabled": "admin",
  "adminOutbound.delete": "admin",
  "adminOutbound.rotateSecret": "admin",
  "adminOutbound.sendTest": "admin",
  "adminOutbound.redeliver": "admin",
  "adminOutbound.dismissNotice": "admin",
  "adminAudit.list": "admin",
  "adminAudit.facets": "admin",

  "opsDashboard.get": "duty_manager",
  "opsJobs.list": "admin",
  "opsJobs.get": "admin",
  "opsJobs.replay": "admin",
  "opsPolicies.list": "admin",
  "opsPolicies.setFields": "admin",
  "opsPolicies.setDefault": "admin",
  "opsPolicies.recurring": "admin",
  "opsPolicies.widen": "admin",
  "opsReference.list": "admin",
  "opsReference.createProduct": "admin",
  "opsReference.updateProduct": "admin",
  "opsReference.createTier": "admin",
  "opsReference.updateTier": "admin",
  "opsReference.removeAlias": "admin",
  "opsReference.addAlias": "admin",
  "opsReference.exceptionSlas": "admin",
  "opsReference.setExceptionSla": "admin",
  "opsSchema.list": "admin",
  "opsSchema.diff": "admin",
  "opsSchema.createDraft": "admin",
  "opsSchema.saveDraft": "admin",
  "opsSchema.discardDraft": "admin",
  "opsSchema.defineField": "admin",
  "opsSchema.removeField": "admin",
  "opsSchema.previewField": "admin",
  "opsSchema.publish": "admin",
  "opsSources.list": "admin",
  "opsSources.onboard": "admin",
  "opsSources.setEnabled": "admin",
  "opsSources.setRateLimit": "admin",
};

type Principal = "anonymous" | "expired_session" | "bearer_token" | Role;
const PRINCIPALS: Principal[] = ["anonymous", "expired_session", "bearer_token", ...ROLES];

function expected(access: Access, who: Principal): "allowed" | "UNAUTHORIZED" | "FORBIDDEN" {
  if (access === "public") return "allowed";
  if (who === "anonymous" || who === "expired_session" || who === "bearer_token") return "UNAUTHORIZED";
  return ROLE_RANK[who] >= ROLE_RANK[access] ? "allowed" : "FORBIDDEN";
}

const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>;
const paths = Object.keys(procedures).sort();
const createCaller = createCallerFactory(appRouter);

let t: TestRuntime;
let users: Awaited<ReturnType<typeof createRoleUsers>>;

beforeAll(async () => {
  t = await installTestRuntime();
  users = await createRoleUsers(t.rt.db);
});
afterAll(async () => t.close());

async function headersFor(who: Principal): Promise<Headers> {
  if (who === "anonymous") return new Headers();
  if (who === "bearer_token") return bearerHeaders();
  if (who === "expired_session") {
    const s = await createSession(t.rt.db, users.admin.id, {});
    await t.rt.db.session.update({ where: { id: s.id }, data: { expiresAt: new Date(Date.now() - 1) } });
    return new Headers({ cookie: `${SESSION_COOKIE}=${s.token}` });
  }
  // A fresh session per call: procedures such as auth.signOutOthers really run.
  return sessionHeaders(t.rt.db, users[who].id);
}

/** Calls a procedure by path with no input: authorisation runs before input validation, so a refusal shows as UNAUTHORIZED/FORBIDDEN and anything else means the gate let the caller through. */
async function outcome(path: string, who: Principal): Promise<string> {
  const caller = createCaller(await createTRPCContext({ headers: await headersFor(who) }));
  let fn: unknown = caller;
  for (const part of path.split(".")) fn = (fn as Record<string, unknown>)[part];
  try {
    await (fn as (input: unknown) => Promise<unknown>)(undefined);
    return "allowed";
  } catch (err) {
    if (!(err instanceof TRPCError)) throw err;
    return err.code === "UNAUTHORIZED" || err.code === "FORBIDDEN" ? err.code : "allowed";
  }
}

describe("role × procedure matrix", () => {
  it("has an entry for every procedure of appRouter, and no entry without a procedure", () => {
    const missing = paths.filter((p) => !(p in MATRIX));
    const stale = Object.keys(MATRIX).filter((p) => !(p in procedures));
    expect({ missing, stale }).toEqual({ missing: [], stale: [] });
  });

  it("walks a router that really has procedures", () => {
    expect(paths.length).toBeGreaterThanOrEqual(20);
    expect(paths.filter((p) => procedures[p]!._def.type === "mutation").length).toBeGreaterThan(5);
  });

  for (const path of paths) {
    it(`${path} (${procedures[path]!._def.type}) answers each caller as the matrix says`, async () => {
      const access = MATRIX[path];
      if (!access) throw new Error(`${path} has no entry in MATRIX: add one with the least role that may call it`);
      const got: Record<string, string> = {};
      const want: Record<string, string> = {};
      for (const who of PRINCIPALS) {
        got[who] = await outcome(path, who);
        want[who] = expected(access, who);
      }
      expect(got).toEqual(want);
    });
  }

  it("no bearer token reaches any mutation", async () => {
    const mutations = paths.filter((p) => procedures[p]!._def.type === "mutation");
    for (const p of mutations) expect(await outcome(p, "bearer_token")).toBe("UNAUTHORIZED");
  });
});
