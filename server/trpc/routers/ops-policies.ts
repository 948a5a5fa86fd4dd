import { z } from "zod";
import { listPolicies, setDefaultPolicy, setDefaultPolicyInput, setFieldPolicies, setFieldPoliciesInput } from "../../ops/governance/manage-policies";
import { recurringExceptions, widenFromReport, widenFromReportInput } from "../../exceptions/recurring";
import { windowKey } from "../../ops/dashboard/windows";
import { adminProcedure, createTRPCRouter } from "../init";

export const opsPoliciesRouter = createTRPCRouter({
  list: adminProcedure.query(({ ctx }) => listPolicies(ctx.rt.db, ctx.actor)),
  setFields: adminProcedure.input(setFieldPoliciesInput).mutation(({ ctx, input }) => setFieldPolicies(ctx.rt, ctx.actor, input)),
  setDefault: adminProcedure.input(setDefaultPolicyInput).mutation(({ ctx, input }) => setDefaultPolicy(ctx.rt, ctx.actor, input)),
  recurring: adminProcedure.input(z.object({ window: windowKey })).query(({ ctx, input }) => recurringExceptions(ctx.rt.db, input.window)),
  /** "Move to auto" from a recurring-exceptions group. */
  widen: adminProcedure.input(widenFromReportInput).mutation(({ ctx, input }) => widenFromReport(ctx.rt, ctx.actor, input)),
});
