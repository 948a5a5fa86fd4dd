import type { Db, Tx } from "../../db/client";
import type { JobKind, Prisma } from "../../db/generated/client";
import type { Actor } from "../../lib/audit";
import { AppError } from "../../lib/errors";
import { newId } from "../../lib/ids";

/** Jobs this runner owns carry this marker in params; other engineers' inline jobs (already running) are left alone. */
export const OPS_RUNNER = "ops";

export interface JobParams {
  runner: typeof OPS_RUNNER;
  /** What the job does, in words, for the jobs list. */
  label: string;
  [key: string]: unknown;
}

/** Queues a job for server/ops/jobs/job-runner.ts; call inside the transaction that made the change it follows. */
export async function enqueueJob(tx: Tx | Db, actor: Actor, kind: JobKind, params: Omit<JobParams, "runner">): Promise<string> {
  const id = newId("job");
  await tx.job.create({
    data: { id, kind, status: "queued", params: { ...params, runner: OPS_RUNNER } as Prisma.InputJsonValue, createdBy: actor.id },
  });
  return id;
}

const JOB_SELECT = {
  id: true,
  kind: true,
  status: true,
  params: true,
  total: true,
  done: true,
  result: true,
  error: true,
  createdBy: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
  updatedAt: true,
} as const;

type JobRow = Prisma.JobGetPayload<{ select: typeof JOB_SELECT }>;

function labelOf(row: JobRow): string {
  const p = (row.params ?? {}) as Record<string, unknown>;
  if (typeof p.label === "string") return p.label;
  // Older jobs written inline by addReferenceAlias (server/reference/edit-reference.ts) carry kind/alias/code.
  if (row.kind === "reference_change" && typeof p.alias === "string") return `Add ${String(p.kind)} alias "${p.alias}" → ${String(p.code)}`;
  return row.kind.replace(/_/g, " ");
}

async function shape(db: Db, rows: JobRow[]) {
  const ids = [...new Set(rows.map((r) => r.createdBy).filter((v): v is string => !!v))];
  const users = ids.length ? await db.user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }) : [];
  const nameOf = new Map(users.map((u) => [u.id, u.name]));
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    status: r.status,
    label: labelOf(r),
    params: r.params as Record<string, unknown>,
    total: r.total,
    done: r.done,
    result: r.result as Record<string, unknown> | null,
    error: r.error,
    createdByName: r.createdBy ? (nameOf.get(r.createdBy) ?? "unknown user") : "system",
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    updatedAt: r.updatedAt,
  }));
}

export type JobView = Awaited<ReturnType<typeof shape>>[number];

export async function listJobs(db: Db, opts: { kinds?: JobKind[]; limit?: number } = {}): Promise<JobView[]> {
  const rows = await db.job.findMany({
    where: opts.kinds ? { kind: { in: opts.kinds } } : undefined,
    orderBy: { createdAt: "desc" },
    take: Math.min(opts.limit ?? 20, 100),
    select: JOB_SELECT,
  });
  return shape(db, rows);
}

export async function getJob(db: Db, id: string): Promise<JobView> {
  const row = await db.job.findUnique({ where: { id }, select: JOB_SELECT });
  if (!row) throw new AppError("NOT_FOUND", `no job ${id}`);
  return (await shape(db, [row]))[0]!;
}
