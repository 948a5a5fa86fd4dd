import { command } from "./statement";

export type LockAndEnsureCaseParams = [lockKey: string, caseId: string];

/**
 * The refresh's first statement: the case's advisory lock (lock-case.ts), then the Case row is
 * created if missing, in one round trip. It also sets plan_cache_mode for the rest of the
 * transaction: every statement of a refresh is a look-up or write by the case's keys, whose generic
 * plan is the custom one, but PostgreSQL keeps planning the case-context read anew (its generic
 * estimate looks dearer), and planning it costs more than running it. With named prepared
 * statements (server/db/statement-names.ts) a generic plan is made once per connection.
 * (server/db/hot-statements.test.ts checks the generic plans too.)
 */
export const LOCK_AND_ENSURE_CASE_SQL = `WITH lock AS (SELECT pg_advisory_xact_lock(hashtextextended($1, 0)), set_config('plan_cache_mode', 'force_generic_plan', true))
   INSERT INTO "Case" ("id", "updatedAt") SELECT $2, now() FROM lock ON CONFLICT ("id") DO NOTHING`;

export const lockAndEnsureCase = command<LockAndEnsureCaseParams>(LOCK_AND_ENSURE_CASE_SQL);
