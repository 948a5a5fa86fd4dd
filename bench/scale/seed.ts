import type { DbHandle } from "../../server/db/client";
import { migrate } from "../../server/db/migrate";
import { SourceRegistry } from "../../server/sources/registry";
import { ReferenceCache } from "../../server/reference/load-reference";
import { seedReference } from "../../server/reference/seed-reference";
import type { EngineContext } from "../../server/refresh/engine-context";
import { buildHistoryCase, buildTemplate } from "./build-template";
import { dropStaging, insertClones, resetEventSequence, stageTemplate, withBulkLoad } from "./clone-groups";
import { sqlRunner, type SqlRunner } from "./sql-runner";
import { caseIdOf, TEMPLATE_TOKEN, ticketVersionsFor } from "./template-events";

export { caseIdOf, groupToken, TEMPLATE_TOKEN } from "./template-events";

export interface ScaleSeedOptions {
  /** Cases wanted; rounded up to whole groups of `templateCases`. */
  cases: number;
  /** Events wanted, about (default 10 per case): sets how many ticket versions each case gets. */
  events?: number;
  /** Cases per group, the template's size (default 100). */
  templateCases?: number;
  /** Versions of the one long-lived case `HISTORY_CASE_ID` (default 1,000; 0: none). */
  historyVersions?: number;
  /** Days the history is spread over, ending an hour before seeding (default 30). */
  spreadDays?: number;
  /** Clones inserted per statement (default 50). */
  chunk?: number;
  onProgress?: (message: string) => void;
}

export interface ScaleSeedResult {
  groups: number;
  templateCases: number;
  cases: number;
  events: number;
  versions: number;
  openExceptions: number;
  /** The case with `historyVersions` versions, or null. */
  historyCaseId: string | null;
  seconds: number;
}

export const HISTORY_CASE_ID = "HIST-LONG";

/**
 * Fills a database with `cases` cases and about `events` events in minutes, for benchmarks and
 * plan tests at scale:
 *
 *   const handle = await openDb({ databaseUrl });
 *   const seeded = await seedScale(handle, { cases: 5_000 }); // 5,000 cases, ~50,000 events
 *
 * How: one group of `templateCases` cases (template-events.ts: tickets, shared accounts and
 * environments, incidents linking cases, bundles, a stale re-delivery, one case in ten with an
 * open exception) goes through the real intake store and refresh engine; then bulk SQL clones it
 * into groups 1..N-1 (clone-groups.ts), replacing the group token in every id, text and JSON
 * column and suffixing random ids, so every clone is the template's state as if its own events had
 * come through intake (dev/testing/seed-scale.test.ts proves it). Case ids are
 * `caseIdOf(groupToken(k), i)`: `C-G00042-007` is case 7 of group 42. One more case,
 * HISTORY_CASE_ID, gets `historyVersions` versions through the engine (before the clones, while
 * refreshes are quick), and VACUUM ANALYZE ends it.
 *
 * The database must be migrated (it is, if not) and hold no scale seed yet. Works on PostgreSQL
 * and PGlite; nothing is left behind but the seeded rows.
 */
export async function seedScale(handle: DbHandle, opts: ScaleSeedOptions): Promise<ScaleSeedResult> {
  const started = performance.now();
  const say = opts.onProgress ?? (() => {});
  const templateCases = opts.templateCases ?? 100;
  if (templateCases < 5 || templateCases > 999) throw new Error("templateCases must be 5 to 999");
  const groups = Math.max(1, Math.ceil(opts.cases / templateCases));
  const ticketVersions = ticketVersionsFor((opts.events ?? opts.cases * 10) / opts.cases);
  const historyVersions = opts.historyVersions ?? 1000;
  const spreadDays = opts.spreadDays ?? 30;
  await migrate(handle.db);
  await seedReference(handle.db);
  const ctx: EngineContext = {
    db: handle.db,
    registry: new SourceRegistry(handle.db, { key: null, envSecrets: {} }),
    reference: new ReferenceCache(handle.db),
  };
  const sql = await sqlRunner(handle);
  try {
    const existing = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Case" WHERE "id" = $1 OR "id" = $2`, caseIdOf(TEMPLATE_TOKEN, 0), HISTORY_CASE_ID);
    if (Number(existing[0]!.n)) throw new Error("this database already holds a scale seed");

    say(`template: ${templateCases} cases, ${ticketVersions} ticket versions each, through intake and the engine`);
    const templateEvents = await buildTemplate(ctx, sql, { token: TEMPLATE_TOKEN, cases: templateCases, ticketVersions, spreadDays });
    // The long-lived case too is made while the database is small: its 1,000 refreshes are quick here.
    if (historyVersions > 0) {
      say(`${HISTORY_CASE_ID}: ${historyVersions} versions through the engine`);
      await buildHistoryCase(ctx, sql, HISTORY_CASE_ID, historyVersions, spreadDays + 1);
    }
    await assertClonable(sql);
    const staged = await stageTemplate(sql, TEMPLATE_TOKEN);
    if (staged.WebhookEvent !== templateEvents) throw new Error(`staged ${staged.WebhookEvent} template events, expected ${templateEvents}`);

    const chunk = opts.chunk ?? 50;
    await withBulkLoad(sql, async () => {
      for (let from = 1; from < groups; from += chunk) {
        const to = Math.min(groups - 1, from + chunk - 1);
        await insertClones(sql, TEMPLATE_TOKEN, from, to);
        say(`cloned groups ${from}-${to} of ${groups - 1} (${Math.round((performance.now() - started) / 1000)} s)`);
      }
      say("rebuilding indexes");
    });
    await resetEventSequence(sql);
    await dropStaging(sql);

    say("VACUUM ANALYZE");
    await sql.exec(`VACUUM ANALYZE`);
    const [counts] = await sql.query<{ cases: number; events: number; versions: number; open: number }>(
      `SELECT (SELECT count(*) FROM "Case")::int AS cases, (SELECT count(*) FROM "WebhookEvent")::int AS events,
         (SELECT count(*) FROM "RecordVersion")::int AS versions, (SELECT count(*) FROM "CaseException" WHERE "status" = 'open')::int AS open`,
    );
    return {
      groups,
      templateCases,
      cases: Number(counts!.cases),
      events: Number(counts!.events),
      versions: Number(counts!.versions),
      openExceptions: Number(counts!.open),
      historyCaseId: historyVersions > 0 ? HISTORY_CASE_ID : null,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await sql.release();
  }
}

/** Ids of cloned rows inside JSON would not be rewritten: the template must have none (see group-tables.ts). */
async function assertClonable(sql: SqlRunner): Promise<void> {
  const [row] = await sql.query<{ n: number }>(
    `SELECT ((SELECT count(*) FROM "CaseException" WHERE "rule" = 'PROCESSING_FAILED')
       + (SELECT count(*) FROM "FieldOverride") + (SELECT count(*) FROM "ApprovedConflict") + (SELECT count(*) FROM "QuarantinedEvent"))::int AS n`,
  );
  if (Number(row!.n)) throw new Error("the template holds failures, overrides, approvals or quarantines, which cannot be cloned");
}
