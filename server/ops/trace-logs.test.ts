import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { claimException, resolveException } from "../exceptions/resolve-exception";
import { receiveWebhook } from "../intake/receive-webhook";
import { SourceRegistry } from "../sources/registry";
import { log } from "../lib/log";
import { drain } from "../refresh/process-events";
import { createUser } from "../../dev/testing/refresh";
import { signWebhook } from "../../dev/simulator/sign";
import { incident, nextWebhookId, ticket, type TestEvent } from "../../dev/testing/events";
import { createTestDb, TEST_SECRET_KEY, type TestDb } from "../../dev/testing/test-db";

/** One webhook followed through the logs: intake line → refresh line → exception resolved line. */
const SECRET = "whsec_" + Buffer.alloc(32, 5).toString("base64");
let t: TestDb;
let registry: SourceRegistry;

beforeAll(async () => {
  t = await createTestDb();
  registry = new SourceRegistry(t.db, { key: TEST_SECRET_KEY, envSecrets: { ticketing: [SECRET], incident: [SECRET] } });
});
afterAll(async () => t?.close());

async function deliver(source: string, ev: TestEvent, webhookId = nextWebhookId()) {
  const body = JSON.stringify(ev.body);
  const h = signWebhook({ baseUrl: "http://127.0.0.1", source, secret: SECRET, webhookId, body }).headers;
  return receiveWebhook(
    { db: t.db, registry, limiter: t.limiter },
    { sourceName: source, contentType: "application/json", contentLength: body.length, webhookId, timestamp: h["webhook-timestamp"]!, signature: h["webhook-signature"]!, remoteAddr: null, readBody: async () => Buffer.from(body, "utf8") },
  );
}

describe("structured logs", () => {
  it("carry the webhook-id and event id from intake to the refresh, and the exception id to its resolution", async () => {
    const lines: { obj: Record<string, unknown>; msg: string }[] = [];
    const spy = vi.spyOn(log, "info").mockImplementation(((obj: Record<string, unknown>, msg: string) => {
      lines.push({ obj, msg });
    }) as typeof log.info);
    try {
      await deliver("ticketing", ticket("LOG-1", 1, { severity: "S1" }));
      await deliver("incident", incident("LOG-INC", 1, { caseIds: ["LOG-1"], severity: "S2" }));
      await drain(t);
      const webhookId = nextWebhookId();
      const res = await deliver("incident", incident("LOG-INC", 2, { caseIds: ["LOG-1"], severity: "S4" }), webhookId);
      const eventId = res.body.eventId as string;
      await drain(t);

      const stored = lines.find((l) => l.msg === "webhook stored" && l.obj.webhookId === webhookId);
      expect(stored?.obj).toMatchObject({ source: "incident", eventId, httpStatus: 202, status: "accepted" });
      const refreshed = lines.find((l) => l.msg === "case refreshed" && (l.obj.eventIds as string[]).includes(eventId));
      expect(refreshed?.obj).toMatchObject({ caseId: "LOG-1", outcome: "held", rules: ["SEVERITY_CONFLICT"] });

      const exc = await t.db.caseException.findFirstOrThrow({ where: { caseId: "LOG-1", liveKey: { not: null } } });
      const specialist = await createUser(t.db, "specialist", "Log Specialist");
      await claimException(t, specialist, exc.id);
      await resolveException(t, specialist, exc.id, { kind: "approve", note: "confirmed" });
      expect(lines.find((l) => l.msg === "case refreshed" && l.obj.approvedException === exc.id)?.obj).toMatchObject({ caseId: "LOG-1", outcome: "applied" });
      expect(lines.find((l) => l.msg === "exception resolved")?.obj).toMatchObject({ exceptionId: exc.id, resolution: "approve", cases: [{ caseId: "LOG-1", outcome: "applied" }] });

      await deliver("nowhere", ticket("LOG-2", 1));
      expect(lines.find((l) => l.msg === "webhook refused")?.obj).toMatchObject({ source: "nowhere", httpStatus: 404 });
    } finally {
      spy.mockRestore();
    }
  });
});
