import { z } from "zod";
import { safeInt } from "../../lib/safe-text";
import { getJob, listJobs } from "../../ops/jobs/jobs";
import { replayInput, requestReplay } from "../../ops/jobs/replay-jobs";
import { adminProcedure, createTRPCRouter } from "../init";

const JOB_KINDS = ["replay_case", "replay_all", "replay_window", "schema_publish", "reference_change", "policy_change", "exception_refresh"] as const;

export const opsJobsRouter = createTRPCRouter({
  list: adminProcedure
    .input(z.object({ kinds: z.array(z.enum(JOB_KINDS)).max(5).optional(), limit: safeInt(1, 100).optional() }))
    .query(({ ctx, input }) => listJobs(ctx.rt.db, input)),
  get: adminProcedure.input(z.object({ id: z.string().min(1).max(100) })).query(({ ctx, input }) => getJob(ctx.rt.db, input.id)),
  replay: adminProcedure.input(replayInput).mutation(({ ctx, input }) => requestReplay(ctx.rt.db, ctx.actor, input)),
});
