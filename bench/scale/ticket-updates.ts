import type { Db } from "../../server/db/client";
import type { SignedRequest } from "../../dev/simulator/sign";
import { ticket, type TestEvent } from "../../dev/testing/events";
import { signedEvent } from "../workload";

interface TicketState {
  entityId: string;
  version: number;
  data: Record<string, unknown> & { notes: unknown[] };
}

/**
 * New ticket versions for existing seeded cases, as the ticketing system would send them: the
 * case's current ticket state with one more note (a ticket_update delta, a new record version).
 * Cases are spread over the whole database (ordered by a hash of their id), so no phase works on
 * a warm corner of it; versions are tracked here, so every event is accepted, never stale.
 */
export class TicketUpdates {
  private constructor(
    readonly caseIds: string[],
    private readonly state: Map<string, TicketState>,
  ) {}

  /** The first `n` seeded cases in hash order (HIST-LONG, the long-lived case, is not among them). */
  static async load(db: Db, n: number): Promise<TicketUpdates> {
    const picked = await db.$queryRawUnsafe<{ id: string }[]>(`SELECT "id" FROM "Case" WHERE "id" LIKE 'C-G%' ORDER BY md5("id") LIMIT $1`, n);
    const rows = await db.$queryRawUnsafe<{ caseId: string; entityId: string; maxVersion: number; data: unknown }[]>(
      `SELECT se."caseId", se."entityId", se."maxVersion", e."data" FROM "SourceEntity" se JOIN "WebhookEvent" e ON e."id" = se."currentEventId"
       WHERE se."entityKind" = 'ticket' AND se."caseId" = ANY($1::text[])`,
      picked.map((p) => p.id),
    );
    const state = new Map<string, TicketState>();
    for (const r of rows) {
      const data = (typeof r.data === "string" ? JSON.parse(r.data) : r.data) as TicketState["data"];
      state.set(r.caseId, { entityId: r.entityId, version: Number(r.maxVersion), data });
    }
    return new TicketUpdates(picked.map((p) => p.id).filter((id) => state.has(id)), state);
  }

  /** The next version of case `caseId`'s ticket. */
  next(caseId: string): TestEvent {
    const s = this.state.get(caseId);
    if (!s) throw new Error(`no ticket loaded for ${caseId}`);
    s.version += 1;
    const note = { id: `s${s.version}`, author: "agent", body: `Scale bench update ${s.version} on ${caseId}`, at: new Date().toISOString() };
    s.data = { ...s.data, notes: [...s.data.notes, note] };
    return ticket(caseId, s.version, s.data, s.entityId);
  }

  /** The k-th update of the rotation (case k mod n), signed for the production server. */
  signed(k: number, baseUrl: string, secrets: Record<string, string>, webhookPrefix: string): SignedRequest {
    return signedEvent(this.next(this.caseIds[k % this.caseIds.length]!), `${webhookPrefix}${k}`, baseUrl, secrets);
  }
}
