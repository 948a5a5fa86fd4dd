import {
  addAlias,
  addAliasInput,
  createProduct,
  createProductInput,
  createTier,
  createTierInput,
  listReferenceData,
  removeAlias,
  removeAliasInput,
  updateProduct,
  updateProductInput,
  updateTier,
  updateTierInput,
} from "../../ops/governance/edit-reference-data";
import { ensureJobRunner } from "../../ops/jobs/job-runner";
import { adminProcedure, createTRPCRouter } from "../init";

/** Each edit queues a re-materialisation job; the runner is woken so it starts at once. */
const queued = <T>(rt: Parameters<typeof ensureJobRunner>[0], result: T): T => {
  ensureJobRunner(rt).wake();
  return result;
};

export const opsReferenceRouter = createTRPCRouter({
  list: adminProcedure.query(({ ctx }) => listReferenceData(ctx.rt.db, ctx.actor)),
  createProduct: adminProcedure.input(createProductInput).mutation(async ({ ctx, input }) => queued(ctx.rt, await createProduct(ctx.rt, ctx.actor, input))),
  updateProduct: adminProcedure.input(updateProductInput).mutation(async ({ ctx, input }) => queued(ctx.rt, await updateProduct(ctx.rt, ctx.actor, input))),
  createTier: adminProcedure.input(createTierInput).mutation(async ({ ctx, input }) => queued(ctx.rt, await createTier(ctx.rt, ctx.actor, input))),
  updateTier: adminProcedure.input(updateTierInput).mutation(async ({ ctx, input }) => queued(ctx.rt, await updateTier(ctx.rt, ctx.actor, input))),
  removeAlias: adminProcedure.input(removeAliasInput).mutation(async ({ ctx, input }) => queued(ctx.rt, await removeAlias(ctx.rt, ctx.actor, input))),
  /** Runs the affected refreshes inline (server/reference/edit-reference.ts), recording them as a job too. */
  addAlias: adminProcedure.input(addAliasInput).mutation(({ ctx, input }) => addAlias(ctx.rt, ctx.actor, input)),
});
