import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoleUsers, installTestRuntime, sessionHeaders, type TestRuntime } from "../../dev/testing/auth";
import { createCallerFactory, createTRPCContext } from "../trpc/init";
import { appRouter } from "../trpc/routers/_app";
import { checkEndpointUrl } from "./url-policy";

/** Bad input to the outbound admin procedures: a clear 400-class answer naming the problem, never a 500. */
describe("endpoint URL policy", () => {
  it.each([
    ["https://hooks.example.com/escalations", "https://hooks.example.com/escalations"],
    ["  https://10.1.2.3:8443/in  ", "https://10.1.2.3:8443/in"],
    ["http://localhost:3400/hooks", "http://localhost:3400/hooks"],
    ["http://127.0.0.1:9/x", "http://127.0.0.1:9/x"],
    ["http://[::1]:9/x", "http://[::1]:9/x"],
  ])("accepts %s", (raw, normalised) => expect(checkEndpointUrl(raw)).toBe(normalised));

  it.each([
    ["", /url is required/],
    ["ftp://files.example.com/drop", /must use https:\/\/ \(got ftp:\/\/\)/],
    ["javascript:alert(1)", /must use https:\/\//],
    ["file:///etc/passwd", /must use https:\/\//],
    ["http://hooks.example.com/in", /plain http:\/\/ is allowed only to localhost/],
    ["not a url", /spaces or control characters/],
    ["hooks.example.com/in", /not a valid absolute URL/],
    ["https://user:pw@hooks.example.com/", /user name or password/],
    ["https://hooks.example.com/#frag", /fragment/],
    ["https://169.254.169.254/latest/meta-data", /link-local/],
    ["https://[fe80::1]/x", /link-local IPv6/],
    ["https://0.0.0.0/x", /unspecified/],
    ["https://x.example.com/\u0000", /control characters/],
    [`https://x.example.com/${"a".repeat(2_100)}`, /at most 2000 characters/],
  ])("refuses %j", (raw, message) => expect(() => checkEndpointUrl(raw)).toThrow(message));
});

describe("outbound admin procedures refuse bad input with 400", () => {
  let t: TestRuntime;
  const factory = createCallerFactory(appRouter);
  let call: ReturnType<typeof factory>;
  beforeAll(async () => {
    t = await installTestRuntime();
    const users = await createRoleUsers(t.rt.db);
    call = factory(await createTRPCContext({ headers: await sessionHeaders(t.rt.db, users.admin.id) }));
  });
  afterAll(async () => t.close());

  async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
    try {
      await p;
    } catch (err) {
      expect(err).toBeInstanceOf(TRPCError);
      return { code: (err as TRPCError).code, message: (err as TRPCError).message };
    }
    throw new Error("expected a refusal");
  }

  it.each([
    [{ url: "ftp://files.example.com/drop" }, /https/],
    [{ url: "http://hooks.example.com/in" }, /localhost/],
    [{ url: "https://hooks.example.com/in", description: "x".repeat(501) }, /500/],
    [{ url: "https://hooks.example.com/in", description: "bad \u0000 text" }, /NUL/],
    [{ url: "https://hooks.example.com/in", caseIdPrefix: "CASE-%" }, /caseIdPrefix/],
    [{ url: "https://hooks.example.com/in", causes: ["not_a_cause"] }, /causes|Invalid/],
    [{ url: 42 }, /url|string/i],
  ])("create %j", async (input, message) => {
    const r = await refusal(call.adminOutbound.create(input as never));
    expect(r.code).toBe("BAD_REQUEST");
    expect(r.message).toMatch(message);
  });

  it("unknown ids are 404, an update with nothing to change is 400, and no endpoint was made", async () => {
    expect((await refusal(call.adminOutbound.get({ id: "ep_missing" }))).code).toBe("NOT_FOUND");
    expect((await refusal(call.adminOutbound.redeliver({ id: "msg_missing" }))).code).toBe("NOT_FOUND");
    expect((await refusal(call.adminOutbound.sendTest({ id: "ep_missing" }))).code).toBe("NOT_FOUND");
    const made = await call.adminOutbound.create({ url: "https://hooks.example.com/in", description: "  Ticket sync  " });
    expect(made.secret).toMatch(/^whsec_/);
    expect((await refusal(call.adminOutbound.update({ id: made.id }))).code).toBe("BAD_REQUEST");
    expect((await refusal(call.adminOutbound.setEnabled({ id: made.id, enabled: true }))).code).toBe("CONFLICT");
    const list = await call.adminOutbound.list();
    expect(list.endpoints.map((e) => [e.url, e.description, e.state])).toEqual([["https://hooks.example.com/in", "Ticket sync", "healthy"]]);
    expect(JSON.stringify(list)).not.toContain(made.secret.slice(6));
  });
});
