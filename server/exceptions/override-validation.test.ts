import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoleUsers, installTestRuntime, sessionHeaders, type TestRuntime } from "../../dev/testing/auth";
import { caseState } from "../../dev/testing/refresh";
import { bundle, entitlement, incident, ticket } from "../../dev/testing/events";
import { ingestAndDrain } from "../../dev/testing/ingest";
import { pathLikeTokens } from "../../dev/testing/path-like";
import { createCallerFactory, createTRPCContext } from "../trpc/init";
import { appRouter } from "../trpc/routers/_app";

/**
 * docs/domain.md: an override may set only a field the exception disputes, with a value valid for that
 * field; anything else is a clear 400 and the exception stays as it was. Driven through tRPC, as the
 * UI calls it, so a 500 (INTERNAL_SERVER_ERROR) would show.
 */
const createCaller = createCallerFactory(appRouter);
let t: TestRuntime;
let users: Awaited<ReturnType<typeof createRoleUsers>>;

beforeAll(async () => {
  t = await installTestRuntime();
  users = await createRoleUsers(t.rt.db);
});
afterAll(async () => t.close());

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
    return { code: "OK", message: "" };
  } catch (err) {
    if (err instanceof TRPCError) return { code: err.code, message: err.message };
    throw err;
  }
}

/** Claims the case's live exception of `rule` as the specialist; returns a resolver bound to it. */
async function claimed(caseId: string, rule: string) {
  const exc = (await caseState(t.rt.db, caseId)).live.find((e) => e.rule === rule);
  if (!exc) throw new Error(`no ${rule} on ${caseId}`);
  const sam = createCaller(await createTRPCContext({ headers: await sessionHeaders(t.rt.db, users.specialist.id) }));
  await sam.exceptions.claim({ id: exc.id });
  const before = await snapshot(caseId, exc.id);
  const override = (path: string, value: string | number | boolean) => refusal(sam.exceptions.resolve({ id: exc.id, kind: "override", note: "Setting the field", path, value }));
  const fields = () => sam.exceptions.overrideFields({ id: exc.id });
  return { id: exc.id, override, fields, unchanged: async () => expect(await snapshot(caseId, exc.id)).toEqual(before) };
}

async function snapshot(caseId: string, id: string) {
  const db = t.rt.db;
  return {
    exception: await db.caseException.findUniqueOrThrow({ where: { id }, select: { status: true, claimedById: true, resolution: true, detail: true, candidateVersion: true } }),
    state: await caseState(db, caseId),
    overrides: await db.fieldOverride.count({ where: { caseId } }),
    approvals: await db.approvedConflict.count({ where: { caseId } }),
    audit: await db.auditLog.count({ where: { OR: [{ targetId: id }, { targetId: caseId }] } }),
  };
}

describe("override validation: a clear 400, the exception unchanged", () => {
  it("refuses paths the severity conflict does not dispute, malformed pointers and prototype keys, never with a 500", async () => {
    const caseId = "CASE-OVV-1";
    await ingestAndDrain(t.tdb, ticket(caseId, 1, { severity: "S1" }), incident("INC-OVV-1", 1, { caseIds: [caseId], severity: "S3" }));
    const exc = await claimed(caseId, "SEVERITY_CONFLICT");
    expect(await exc.fields()).toEqual([{ path: "/case/severity", value: "S1", kind: "enum", options: ["S1", "S2", "S3", "S4"].map((v) => ({ value: v, label: v })) }]);
    const cases: [string, string | number | boolean, RegExp][] = [
      ["/case/subject", "New subject", /^Case › Subject is not disputed by this exception; it disputes Case › Severity$/],
      ["/case/invented", "x", /^Case › Invented is not a field of the record that can be overridden/],
      // Own-property lookups: a prototype key is a field name like any other, never "function Object() …".
      ["/case/__proto__", "x", /^Case › Proto is not a field of the record that can be overridden; it disputes Case › Severity$/],
      ["/case/constructor", "x", /^Case › Constructor is not a field of the record that can be overridden; it disputes Case › Severity$/],
      ["/case/toString", "S2", /^Case › To string is not a field of the record that can be overridden; it disputes Case › Severity$/],
      ["case/severity", "S2", /JSON Pointer starting with "\/"/],
      ["/incidents/0/severity", "S2", /not a field of the record/],
      ["/case/severity/x", "S2", /not a field of the record/],
      ["/case/severity", "S9", /^Case › Severity must be one of S1, S2, S3, S4 \(got "S9"\)$/],
      ["/case/severity", 2, /must be one of S1, S2, S3, S4 \(got 2\)/],
      ["/case/severity", true, /must be one of/],
    ];
    for (const [path, value, message] of cases) {
      const r = await exc.override(path, value);
      expect({ path, value, code: r.code }).toEqual({ path, value, code: "BAD_REQUEST" });
      expect(r.message).toMatch(message);
      // A message for people names fields by their labels; only the malformed-pointer message, which is
      // about the API's path parameter itself, shows a pointer as an example.
      if (path.startsWith("/") && !/^\/incidents\//.test(path)) expect(pathLikeTokens(r.message ?? "")).toEqual([]);
    }
    await exc.unchanged();
  });

  it("entitlement tier: only a registry tier (or alias); derived fields point at the tier; numbers for numbers", async () => {
    const caseId = "CASE-OVV-2";
    await ingestAndDrain(t.tdb, ticket(caseId, 1, { accountId: "ACC-OVV-2" }), entitlement("ACC-OVV-2", 1, { serviceTier: "Gold Plus" }, caseId));
    const exc = await claimed(caseId, "ENTITLEMENT_INCONSISTENT");
    expect(await exc.fields()).toEqual([
      { path: "/entitlement/tier", value: "Gold Plus", kind: "tier", options: [
        { value: "enterprise", label: "Enterprise (enterprise)" },
        { value: "premium", label: "Premium (premium)" },
        { value: "standard", label: "Standard (standard)" },
      ] },
    ]);
    expect(await exc.override("/entitlement/slaMinutes", "banana")).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/^Entitlement › SLA \(minutes\) follows Entitlement › Tier: override Entitlement › Tier/) });
    expect(await exc.override("/entitlement/tier", "banana")).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/must be a tier of the service-tier registry \(enterprise, premium, standard\)/) });
    expect(await exc.override("/entitlement/tier", 5)).toMatchObject({ code: "BAD_REQUEST" });
    expect(await exc.override("/entitlement/status", "active")).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/not disputed/) });
    await exc.unchanged();
  });

  it("an exception about a list (corrupted diagnostics) disputes no single field: every override is refused", async () => {
    const caseId = "CASE-OVV-3";
    await ingestAndDrain(t.tdb, ticket(caseId, 1), bundle(caseId, "BND-OVV-3", 1, { integrity: "failed" }));
    const exc = await claimed(caseId, "DIAGNOSTIC_CORRUPTED");
    expect(await exc.fields()).toEqual([]);
    const r = await exc.override("/case/severity", "S2");
    expect(r).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/disputes no single field \(Artifacts\); approve or reject it instead/) });
    await exc.unchanged();
  });

  it("a valid override of a disputed field still goes through", async () => {
    const caseId = "CASE-OVV-4";
    await ingestAndDrain(t.tdb, ticket(caseId, 1, { severity: "S1" }), incident("INC-OVV-4", 1, { caseIds: [caseId], severity: "S3" }));
    const exc = await claimed(caseId, "SEVERITY_CONFLICT");
    expect(await exc.override("/case/severity", "S2")).toEqual({ code: "OK", message: "" });
  });
});
