import { z } from "zod";
import { createDraft, diffSchema, discardDraft, discardInput, listSchemaVersions, publishInput, publishSchema, saveDraft, saveDraftInput } from "../../admin/schema-versions";
import { ensureJobRunner } from "../../ops/job-runner";
import { adminProcedure, createTRPCRouter } from "../init";

export const opsSchemaRouter = createTRPCRouter({
  list: adminProcedure.query(({ ctx }) => listSchemaVersions(ctx.rt.db, ctx.actor)),
  diff: adminProcedure.input(z.object({ version: z.number().int().min(1) })).query(({ ctx, input }) => diffSchema(ctx.rt.db, ctx.actor, input.version)),
  createDraft: adminProcedure.mutation(({ ctx }) => createDraft(ctx.rt.db, ctx.actor)),
  saveDraft: adminProcedure.input(saveDraftInput).mutation(({ ctx, input }) => saveDraft(ctx.rt.db, ctx.actor, input)),
  discardDraft: adminProcedure.input(discardInput).mutation(async ({ ctx, input }) => {
    await discardDraft(ctx.rt.db, ctx.actor, input);
    return { ok: true };
  }),
  publish: adminProcedure.input(publishInput).mutation(async ({ ctx, input }) => {
    const out = await publishSchema(ctx.rt, ctx.actor, input);
    ensureJobRunner(ctx.rt).wake();
    return out;
  }),
});
