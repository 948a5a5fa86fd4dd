import { randomBytes, timingSafeEqual } from "node:crypto";
import { authenticateBearer } from "../auth/bearer";
import { readMigrations } from "../db/migrate";
import { isDatabaseUnavailable } from "../lib/db-errors";
import type { Runtime } from "../runtime";
import { extensions } from "../runtime-extensions";

/** Database reachable, every migration applied, and how far the refresh workers lag behind intake. */
export async function getHealth(rt: Runtime) {
  const checks: Record<string, unknown> = {};
  let ok = true;
  try {
    const rows = await rt.db.$queryRawUnsafe<{ migration_name: string }[]>(
      `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const applied = new Set(rows.map((r) => r.migration_name));
    const pending = readMigrations().filter((m) => !applied.has(m.name)).map((m) => m.name);
    checks.database = { ok: true, kind: rt.handle.kind };
    checks.migrations = { ok: pending.length === 0, applied: applied.size, pending };
    if (pending.length) ok = false;
    const [lag] = await rt.db.$queryRawUnsafe<{ backlog: number; oldest: Date | null }[]>(
      `SELECT count(*)::int AS backlog, min("receivedAt") AS oldest FROM "WebhookEvent" WHERE "status" = 'received'`,
    );
    const lagSeconds = lag?.oldest ? Math.max(0, (Date.now() - new Date(lag.oldest).getTime()) / 1000) : 0;
    checks.worker = { ok: true, inProcess: !!rt.worker, backlog: lag?.backlog ?? 0, lagSeconds: Math.round(lagSeconds * 10) / 10 };
  } catch (err) {
    ok = false;
    // Says what is wrong without the driver's text (addresses, SQL) in a public answer.
    checks.database = { ok: false, error: isDatabaseUnavailable(err) ? "the database is unavailable" : "the database check failed" };
  }
  // Informational (the embedded demo's progress, say): never makes the service unhealthy.
  for (const extension of extensions()) Object.assign(checks, extension.healthChecks?.());
  return { ok, status: ok ? "ok" : "degraded", startedAt: rt.startedAt.toISOString(), checks };
}

/**
 * A bearer token that never leaves this process, so the process can read its own health details
 * (the demo scheduler waits until /api/health reports this process's start time) without API_TOKEN.
 */
const g = globalThis as unknown as { __errHealthToken?: string };
export function internalHealthToken(): string {
  g.__errHealthToken ??= randomBytes(24).toString("base64url");
  return g.__errHealthToken;
}

export function isInternalHealthToken(authorization: string): boolean {
  const sent = Buffer.from(authorization);
  const own = Buffer.from(`Bearer ${internalHealthToken()}`);
  return sent.length === own.length && timingSafeEqual(sent, own);
}

/**
 * GET /api/health (docs/api.md, "Health"). Anonymous callers (load balancers, uptime checks) get
 * `{ status }` only, 200 or 503. The details (database kind, migrations, backlog, demo progress,
 * start time) need a read-API bearer token: they tell an attacker what runs and how busy it is.
 */
export async function healthAnswer(rt: Runtime, authorization: string | null): Promise<{ status: number; body: unknown }> {
  const health = await getHealth(rt);
  const status = health.ok ? 200 : 503;
  if (!authorization) return { status, body: { status: health.status } };
  if (!isInternalHealthToken(authorization)) await authenticateBearer(rt.db, rt.env.API_TOKEN, authorization);
  return { status, body: health };
}
