import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueJob, getJob, OPS_RUNNER } from "./jobs";
import { SYSTEM_ACTOR } from "../../lib/audit";
import { newId } from "../../lib/ids";
import { createTestDb, TEST_DB_KIND, type TestDb } from "../../../dev/testing/test-db";
import type { JobHandler } from "./job-handlers";
import { JobRunner } from "./job-runner";

let t: TestDb;

beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.close();
});

const clearJobs = () => t.db.job.deleteMany({});

describe(`job runner (${TEST_DB_KIND})`, () => {
  it("several runners on one database take each job exactly once (SKIP LOCKED)", async () => {
    await clearJobs();
    const ran: { job: string; runner: string }[] = [];
    const handler = (runner: string): JobHandler => async (_ctx, params, progress) => {
      ran.push({ job: String(params.n), runner });
      await progress(1, 1);
      return { result: { by: runner } };
    };
    const ids: string[] = [];
    for (let n = 0; n < 8; n++) ids.push(await enqueueJob(t.db, SYSTEM_ACTOR, "replay_all", { label: `job ${n}`, n }));
    const a = new JobRunner(t, { handlers: { replay_all: handler("a") } });
    const b = new JobRunner(t, { handlers: { replay_all: handler("b") } });
    const c = new JobRunner(t, { handlers: { replay_all: handler("c") } });
    const counts = await Promise.all([a.drain(), b.drain(), c.drain()]);
    expect(counts.reduce((x, y) => x + y, 0)).toBe(8);
    expect(ran.map((r) => r.job).sort()).toEqual(["0", "1", "2", "3", "4", "5", "6", "7"]);
    const rows = await t.db.job.findMany({ where: { id: { in: ids } } });
    expect(rows.every((r) => r.status === "succeeded" && r.done === 1 && r.total === 1 && r.finishedAt)).toBe(true);
    const byJob = new Map(ran.map((r) => [r.job, r.runner]));
    for (const r of rows) expect((r.result as { by: string }).by).toBe(byJob.get(String((r.params as { n: number }).n)));
  });

  it("progress is written to the row while the job runs, so a reload sees it", async () => {
    await clearJobs();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let reached!: () => void;
    const atGate = new Promise<void>((resolve) => (reached = resolve));
    const handler: JobHandler = async (_ctx, _params, progress) => {
      await progress(0, 4);
      await progress(1, 4);
      await progress(2, 4);
      reached();
      await gate;
      await progress(3, 4);
      await progress(4, 4);
      return { result: { ok: true } };
    };
    const id = await enqueueJob(t.db, SYSTEM_ACTOR, "schema_publish", { label: "gated", version: 9 });
    const runner = new JobRunner(t, { progressEveryMs: 0, handlers: { schema_publish: handler } });
    const running = runner.runOnce();
    await atGate;
    const mid = await getJob(t.db, id);
    expect(mid).toMatchObject({ status: "running", done: 2, total: 4 });
    expect(mid.startedAt).not.toBeNull();
    release();
    expect(await running).toBe(true);
    expect(await getJob(t.db, id)).toMatchObject({ status: "succeeded", done: 4, total: 4, result: { ok: true } });
  });

  it("takes over a running job whose process went silent, never a live one, never another runner's", async () => {
    await clearJobs();
    const seen: string[] = [];
    const handler: JobHandler = async (_ctx, params) => {
      seen.push(String(params.label));
      return { result: {} };
    };
    const stale = await enqueueJob(t.db, SYSTEM_ACTOR, "replay_all", { label: "stale" });
    const live = await enqueueJob(t.db, SYSTEM_ACTOR, "replay_all", { label: "live" });
    await t.db.$executeRawUnsafe(`UPDATE "Job" SET "status" = 'running', "updatedAt" = now() - interval '10 minutes' WHERE "id" = $1`, stale);
    await t.db.$executeRawUnsafe(`UPDATE "Job" SET "status" = 'running', "updatedAt" = now() WHERE "id" = $1`, live);
    // addReferenceAlias (server/reference/edit-reference.ts) runs its own job inline: not ours.
    const foreign = newId("job");
    await t.db.job.create({ data: { id: foreign, kind: "reference_change", status: "queued", params: { kind: "product", alias: "x", code: "y" } } });
    const runner = new JobRunner(t, { staleSeconds: 60, handlers: { replay_all: handler } });
    expect(await runner.drain()).toBe(1);
    expect(seen).toEqual(["stale"]);
    expect((await getJob(t.db, stale)).status).toBe("succeeded");
    expect((await getJob(t.db, live)).status).toBe("running");
    expect((await getJob(t.db, foreign)).status).toBe("queued");
    expect((await t.db.job.findUniqueOrThrow({ where: { id: stale } })).params).toMatchObject({ runner: OPS_RUNNER });
  });

  it("marks an inline job that stopped moving failed, with the reason, and leaves a live one alone", async () => {
    await clearJobs();
    const params = { kind: "product", alias: "billing portal", code: "billing" };
    const dead = newId("job");
    const alive = newId("job");
    await t.db.job.create({ data: { id: dead, kind: "reference_change", status: "running", params, total: 8, done: 3 } });
    await t.db.job.create({ data: { id: alive, kind: "reference_change", status: "running", params, total: 8, done: 5 } });
    await t.db.$executeRawUnsafe(`UPDATE "Job" SET "updatedAt" = now() - interval '10 minutes' WHERE "id" = $1`, dead);
    const runner = new JobRunner(t, { staleSeconds: 60 });
    expect(await runner.drain()).toBe(0);
    const row = await t.db.job.findUniqueOrThrow({ where: { id: dead } });
    expect(row.status).toBe("failed");
    expect(row.error).toBe("Interrupted: the process running this job stopped before it finished (3 of 8 done). Run the change again to finish it.");
    expect(row.finishedAt).not.toBeNull();
    expect((await t.db.job.findUniqueOrThrow({ where: { id: alive } })).status).toBe("running");
  });

  it("a handler that throws, or reports partial failure, ends the job failed with the reason", async () => {
    await clearJobs();
    const boom = await enqueueJob(t.db, SYSTEM_ACTOR, "replay_case", { label: "boom", caseId: "X" });
    const partial = await enqueueJob(t.db, SYSTEM_ACTOR, "reference_change", { label: "partial", scope: {} });
    const runner = new JobRunner(t, {
      handlers: {
        replay_case: async () => {
          throw new Error("the case vanished");
        },
        reference_change: async (_ctx, _p, progress) => {
          await progress(2, 2);
          return { result: { cases: 2 }, error: "1 of 2 cases could not be refreshed (CASE-1)" };
        },
      },
    });
    expect(await runner.drain()).toBe(2);
    expect(await getJob(t.db, boom)).toMatchObject({ status: "failed", error: "the case vanished" });
    expect(await getJob(t.db, partial)).toMatchObject({ status: "failed", error: "1 of 2 cases could not be refreshed (CASE-1)", result: { cases: 2 }, done: 2 });
  });

  it("the loop picks up a queued job when woken and stops cleanly", async () => {
    await clearJobs();
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const runner = new JobRunner(t, {
      pollMs: 60_000,
      handlers: {
        replay_all: async () => {
          done();
          return { result: {} };
        },
      },
    });
    runner.start();
    const id = await enqueueJob(t.db, SYSTEM_ACTOR, "replay_all", { label: "woken" });
    runner.wake();
    await finished;
    await runner.stop();
    expect((await getJob(t.db, id)).status).toBe("succeeded");
  });
});
