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
import { listExceptionSlas, setExceptionSla, setExceptionSlaInput } from "../../exceptions/exception-sla";
import { adminProcedure, createTRPCRouter } from "../init";

export const opsReferenceRouter = createTRPCRouter({
  list: adminProcedure.query(({ ctx }) => listReferenceData(ctx.rt.db, ctx.actor)),
  createProduct: adminProcedure.input(createProductInput).mutation(({ ctx, input }) => createProduct(ctx.rt, ctx.actor, input)),
  updateProduct: adminProcedure.input(updateProductInput).mutation(({ ctx, input }) => updateProduct(ctx.rt, ctx.actor, input)),
  createTier: adminProcedure.input(createTierInput).mutation(({ ctx, input }) => createTier(ctx.rt, ctx.actor, input)),
  updateTier: adminProcedure.input(updateTierInput).mutation(({ ctx, input }) => updateTier(ctx.rt, ctx.actor, input)),
  removeAlias: adminProcedure.input(removeAliasInput).mutation(({ ctx, input }) => removeAlias(ctx.rt, ctx.actor, input)),
  /** Runs the affected refreshes inline (server/reference/edit-reference.ts), recording them as a job too. */
  addAlias: adminProcedure.input(addAliasInput).mutation(({ ctx, input }) => addAlias(ctx.rt, ctx.actor, input)),
  /** The exception SLA (docs/domain.md "Exception SLA"): a default and minutes per exception kind. */
  exceptionSlas: adminProcedure.query(({ ctx }) => listExceptionSlas(ctx.rt.db, ctx.actor)),
  setExceptionSla: adminProcedure.input(setExceptionSlaInput).mutation(({ ctx, input }) => setExceptionSla(ctx.rt.db, ctx.actor, input)),
});
