import { parseEvent } from "../../server/intake/event-schemas";
import { storeEvent, type StoredEvent } from "../../server/intake/store-event";
import { drain } from "../../server/refresh/process-events";
import type { EngineContext } from "../../server/refresh/engine-context";
import { nextWebhookId, type TestEvent } from "./events";

/** Stores an event as intake would (after signature checks), without HTTP. */
export async function ingest(ctx: EngineContext, ev: TestEvent, webhookId = nextWebhookId(), sourceName: string = ev.kind): Promise<StoredEvent> {
  const parsed = parseEvent(ev.kind, ev.body);
  if (!parsed.ok) throw new Error(`invalid test event: ${JSON.stringify(parsed.issues)}`);
  const source = await ctx.registry.get(sourceName);
  if (!source) throw new Error(`no source ${sourceName}`);
  return storeEvent(ctx.db, source, webhookId, parsed.event);
}

export async function ingestAndDrain(ctx: EngineContext, ...events: TestEvent[]): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for (const e of events) out.push(await ingest(ctx, e));
  await drain(ctx);
  return out;
}
