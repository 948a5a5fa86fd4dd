import type { EngineContext } from "../../server/refresh/engine-context";
import { drain, processBatch } from "../../server/refresh/process-events";
import { ticket } from "../../dev/testing/events";
import { ingest } from "../../dev/testing/ingest";
import { shiftGroupTimes } from "./group-tables";
import { dbNow, epochMs, type SqlRunner } from "./sql-runner";
import { roundsOf, templateEvents } from "./template-events";

export interface TemplateOptions {
  token: string;
  cases: number;
  ticketVersions: number;
  /** The group's history is spread over this many days, ending an hour before now. */
  spreadDays: number;
}

/**
 * Builds one case group through the real code path: every event stored as intake stores it, each
 * round drained by the engine. Each round is then placed in the past (its rows' times moved back,
 * a round every spreadDays / rounds days, the last an hour ago), before its refreshes and again
 * after them, so lineage's receivedAt, version times and event times agree as if the history had
 * arrived over those weeks. Returns how many events were stored.
 */
export async function buildTemplate(ctx: EngineContext, sql: SqlRunner, opts: TemplateOptions): Promise<number> {
  const events = templateEvents(opts.token, opts.cases, opts.ticketVersions);
  const rounds = roundsOf(opts.ticketVersions);
  const end = epochMs(await dbNow(sql)) - 3_600_000;
  const gapMs = (opts.spreadDays * 86_400_000) / rounds;
  for (let round = 0; round < rounds; round++) {
    const since = await dbNow(sql);
    const deltaSeconds = (end - (rounds - 1 - round) * gapMs - epochMs(since)) / 1000;
    for (const e of events.filter((x) => x.round === round)) await ingest(ctx, e.event, e.webhookId);
    await shiftGroupTimes(sql, opts.token, since, deltaSeconds);
    await drain(ctx);
    await shiftGroupTimes(sql, opts.token, since, deltaSeconds);
  }
  return events.length;
}

/**
 * A case with `versions` versions, made one refresh at a time as a long-lived case gets them (its
 * subject alternates, so every ticket version is a new record version). Its id has no group token:
 * it is never cloned. Its history is placed `ageDays` in the past like the template's (each event
 * before its refresh, everything else after), so it stays out of the dashboard's windows.
 */
export async function buildHistoryCase(ctx: EngineContext, sql: SqlRunner, caseId: string, versions: number, ageDays: number): Promise<void> {
  const since = await dbNow(sql);
  const deltaSeconds = -ageDays * 86_400;
  for (let v = 1; v <= versions; v++) {
    const ev = ticket(caseId, v, {
      accountId: `ACC-${caseId}`,
      customerName: "Long-lived Corp",
      subject: `Recurring outage, revision ${v % 2}`,
      severity: "S2",
      notes: [{ id: "n1", author: "agent", body: `Revision ${v}`, at: new Date(Date.UTC(2026, 9, 1) + v * 60_000).toISOString() }],
    });
    const stored = await ingest(ctx, ev, `wh-${caseId}-${v}`);
    await sql.exec(
      `UPDATE "WebhookEvent" SET "receivedAt" = "receivedAt" + make_interval(secs => $2::float8), "createdAt" = "createdAt" + make_interval(secs => $2::float8),
         "updatedAt" = "updatedAt" + make_interval(secs => $2::float8), "nextAttemptAt" = "nextAttemptAt" + make_interval(secs => $2::float8) WHERE "id" = $1`,
      stored.eventId,
      deltaSeconds,
    );
    await processBatch(ctx, 10);
  }
  await shiftGroupTimes(sql, caseId, since, deltaSeconds);
}
