// Helpers of the server/ops tests (not imported by application code).
import { expect } from "vitest";
import { AppError } from "../../server/lib/errors";
import { postSigned, signWebhook } from "../simulator/sign";
import { nextWebhookId, type TestEvent } from "./events";

export async function expectAppError(p: Promise<unknown>, code: string): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
  return err as AppError;
}

/** Posts a test event through the real HTTP intake, signed as the named source would sign it. */
export async function postAs(baseUrl: string, source: string, secret: string, ev: TestEvent, webhookId = nextWebhookId()) {
  const res = await postSigned(signWebhook({ baseUrl, source, secret, webhookId, body: JSON.stringify(ev.body) }));
  return { ...res, webhookId };
}

/** A copy of a test event with another occurredAt (the builders tie it to the version). */
export function occurredAt(ev: TestEvent, iso: string): TestEvent {
  return { ...ev, body: { ...ev.body, occurredAt: iso } };
}
