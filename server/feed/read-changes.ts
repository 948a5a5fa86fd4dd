import "server-only";
import type { Db } from "../db/client";
import { AppError } from "../lib/errors";
import { appendIfPending } from "./append-changes";
import { decodeCursor, encodeCursor, FEED_START } from "./feed-cursor";
import { feedWaiters } from "./feed-waiters";

/**
 * The change feed (docs/api.md, GET /api/v1/changes).
 *
 * Why it never skips: a position handed out when a row is inserted (a serial, a timestamp, a
 * transaction id) can commit out of order. Writer A takes 10, writer B takes 11 and commits first;
 * a reader that saw 11 and moved its cursor past it would never see 10. So a refresh writes its
 * change with no position (record-change.ts) and, after commit, one appender at a time gives
 * committed rows the next positions (append-changes.ts). Readers see positions as a gap-free
 * prefix: whatever a read returns, every smaller position was already readable, and every row
 * still to come gets a larger one. The order is total, final and the same for every reader,
 * across restarts and any number of writing processes (on PGlite, the same with one).
 *
 * Per case, the order is commit order: a refresh holds the case's advisory lock from its first
 * statement to commit, so a later change of the case is inserted (larger seq) after the earlier
 * one committed, and an append that sees the later one sees the earlier one too and orders by seq.
 *
 * A read appends pending rows first when there are any (a writer that died between commit and its
 * append leaves some), then reads one range of FeedChange_position_key: the same cost at any size.
 */
export interface ChangesQuery {
  after?: string;
  limit: number;
  /** Seconds an empty answer may wait for a change. */
  wait: number;
}

export const MAX_LIMIT = 1000;
export const DEFAULT_LIMIT = 100;
export const MAX_WAIT_SECONDS = 30;

/** The query string, checked strictly: each bad parameter gets its own message. */
export function parseChangesQuery(params: URLSearchParams): ChangesQuery {
  const value = (name: string) => {
    const v = params.getAll(name).filter((x) => x !== "");
    if (v.length > 1) throw new AppError("BAD_REQUEST", `${name} is given more than once`);
    return v[0];
  };
  const after = value("after");
  const limitText = value("limit");
  const waitText = value("wait");
  let limit = DEFAULT_LIMIT;
  if (limitText !== undefined) {
    limit = /^\d{1,4}$/.test(limitText) ? Number(limitText) : NaN;
    if (!(limit >= 1 && limit <= MAX_LIMIT)) throw new AppError("BAD_REQUEST", `limit must be a whole number from 1 to ${MAX_LIMIT}`);
  }
  let wait = 0;
  if (waitText !== undefined) {
    wait = /^\d{1,2}(\.\d{1,3})?$/.test(waitText) ? Number(waitText) : NaN;
    if (!(wait >= 0 && wait <= MAX_WAIT_SECONDS)) throw new AppError("BAD_REQUEST", `wait must be a number of seconds from 0 to ${MAX_WAIT_SECONDS}`);
  }
  if (after !== undefined) decodeCursor(after);
  return { after, limit, wait };
}

export interface FeedChangeItem {
  cursor: string;
  caseId: string;
  version: number;
  previousVersion: number | null;
  causes: string[];
  summary: string;
  at: string;
}

export interface ChangesPage {
  changes: FeedChangeItem[];
  next: string;
}

interface Row {
  position: string;
  caseId: string;
  version: number;
  previousVersion: number | null;
  causes: string[] | null;
  summary: string;
  at: string;
}

/** A range scan of FeedChange_position_key from the cursor, stopped by the limit. */
export const READ_CHANGES_SQL = `SELECT f."position"::text AS "position", f."caseId", f."version", f."previousVersion",
       f."causes"::text[] AS "causes", f."summary", to_char(f."at", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "at"
     FROM "FeedChange" f
     WHERE f."position" > $1::bigint
     ORDER BY f."position"
     LIMIT $2`;

export async function readChangesPage(db: Db, from: bigint, limit: number): Promise<ChangesPage> {
  await appendIfPending(db);
  const rows = await db.$queryRawUnsafe<Row[]>(READ_CHANGES_SQL, String(from), limit);
  const changes = rows.map((r) => ({
    cursor: encodeCursor(BigInt(r.position)),
    caseId: r.caseId,
    version: Number(r.version),
    previousVersion: r.previousVersion === null ? null : Number(r.previousVersion),
    causes: r.causes ?? [],
    summary: r.summary,
    at: r.at,
  }));
  return { changes, next: changes.length ? changes[changes.length - 1]!.cursor : encodeCursor(from) };
}

/** One answer of the feed; with `wait`, an empty answer waits for a change (feed-waiters.ts). */
export async function readChanges(db: Db, query: ChangesQuery, signal?: AbortSignal): Promise<ChangesPage> {
  const from = query.after ? decodeCursor(query.after) : FEED_START;
  let page = await readChangesPage(db, from, query.limit);
  if (page.changes.length || query.wait <= 0) return page;
  const deadline = Date.now() + query.wait * 1000;
  const waiters = feedWaiters(db);
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0 || signal?.aborted) return page;
    // Past the bound on waiting requests the answer is the empty page now, not a pile-up.
    if (!(await waiters.wait(from, left, signal))) return page;
    page = await readChangesPage(db, from, query.limit);
    if (page.changes.length) return page;
  }
}
