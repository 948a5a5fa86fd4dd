import { z } from "zod";
import { listPolicies, setDefaultPolicy, setDefaultPolicyInput, setFieldPolicies, setFieldPoliciesInput } from "../../ops/governance/manage-policies";
import { recurringExceptions, widenFromReport, widenFromReportInput } from "../../exceptions/recurring";
import { windowKey } from "../../ops/dashboard/windows";
import { ensureJobRunner } from "../../ops/jobs/job-runner";
import { adminProcedure, createTRPCRouter } from "../init";

/** A widened policy queues a re-evaluation job: start it now rather than at the runner's next poll. */
const queued = <T extends { jobId?: string }>(rt: Parameters<typeof ensureJobRunner>[0], result: T): T => {
  if (result.jobId) ensureJobRunner(rt).wake();
  return result;
};

export const opsPoliciesRouter = createTRPCRouter({
  list: adminProcedure.query(({ ctx }) => listPolicies(ctx.rt.db, ctx.actor)),
  setFields: adminProcedure.input(setFieldPoliciesInput).mutation(async ({ ctx, input }) => queued(ctx.rt, await setFieldPolicies(ctx.rt, ctx.actor, input))),
  setDefault: adminProcedure.input(setDefaultPolicyInput).mutation(async ({ ctx, input }) => queued(ctx.rt, await setDefaultPolicy(ctx.rt, ctx.actor, input))),
  recurring: adminProcedure.input(z.object({ window: windowKey })).query(({ ctx, input }) => recurringExceptions(ctx.rt.db, input.window)),
  /** "Move to auto" from a recurring-exceptions group. */
  widen: adminProcedure.input(widenFromReportInput).mutation(async ({ ctx, input }) => queued(ctx.rt, await widenFromReport(ctx.rt, ctx.actor, input))),
});
