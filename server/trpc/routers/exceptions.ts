import { z } from "zod";
import { listOverrideFields } from "../../exceptions/override-options";
import { assignException, claimException, resolveException, unclaimException } from "../../exceptions/resolve-exception";
import { AppError } from "../../lib/errors";
import { getExceptionDetail } from "../../exceptions/get-detail";
import { exceptionFacets, exceptionQueueInput, listExceptionQueue } from "../../exceptions/list-queue";
import { createTRPCRouter, readerProcedure, specialistProcedure } from "../init";

const id = z.string().min(1).max(100);

export const exceptionsRouter = createTRPCRouter({
  list: readerProcedure.input(exceptionQueueInput).query(({ ctx, input }) => listExceptionQueue(ctx.rt.db, input)),
  facets: readerProcedure.query(({ ctx }) => exceptionFacets(ctx.rt.db)),
  get: readerProcedure.input(z.object({ id })).query(({ ctx, input }) => getExceptionDetail(ctx.rt.db, input.id)),
  /** The fields an override of this exception may set (the disputed ones), with their choices. */
  overrideFields: readerProcedure.input(z.object({ id })).query(({ ctx, input }) => listOverrideFields(ctx.rt, input.id)),
  claim: specialistProcedure.input(z.object({ id })).mutation(({ ctx, input }) => claimException(ctx.rt, ctx.actor, input.id)),
  unclaim: specialistProcedure.input(z.object({ id })).mutation(({ ctx, input }) => unclaimException(ctx.rt, ctx.actor, input.id)),
  assign: specialistProcedure
    .input(z.object({ id, assigneeId: id }))
    .mutation(({ ctx, input }) => assignException(ctx.rt, ctx.actor, input.id, input.assigneeId)),
  /** Claims each exception in turn; the ones someone else holds are reported, not forced. */
  bulkClaim: specialistProcedure.input(z.object({ ids: z.array(id).min(1).max(200) })).mutation(async ({ ctx, input }) => {
    const claimed: string[] = [];
    const failed: { id: string; reason: string }[] = [];
    for (const exceptionId of input.ids) {
      try {
        await claimException(ctx.rt, ctx.actor, exceptionId);
        claimed.push(exceptionId);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        failed.push({ id: exceptionId, reason: err.message });
      }
    }
    return { claimed, failed };
  }),
  resolve: specialistProcedure
    .input(
      z.discriminatedUnion("kind", [
        z.object({ id, kind: z.literal("approve"), note: z.string().max(5000) }),
        z.object({ id, kind: z.literal("reject"), note: z.string().max(5000) }),
        z.object({ id, kind: z.literal("override"), note: z.string().max(5000), path: z.string().min(1).max(300), value: z.union([z.string().max(5000), z.number(), z.boolean()]) }),
      ]),
    )
    .mutation(async ({ ctx, input }) => {
      const { id: exceptionId, ...resolution } = input;
      const results = await resolveException(ctx.rt, ctx.actor, exceptionId, resolution);
      return results.map((r) => ({ caseId: r.caseId, outcome: r.outcome, version: r.version }));
    }),
});
