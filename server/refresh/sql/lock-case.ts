import { command } from "./statement";

/** The advisory lock key of a case: every process sharing the database serialises its refreshes on it. */
export const caseLockKey = (caseId: string) => `case:${caseId}`;

export type LockCaseParams = [lockKey: string];

/** Waits for the case's transaction-scoped advisory lock (held until COMMIT or ROLLBACK). */
export const LOCK_CASE_SQL = `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`;

/** Run outside the refresh (resolving an exception), so not a named statement. */
export const lockCase = command<LockCaseParams>(LOCK_CASE_SQL, { named: false });
