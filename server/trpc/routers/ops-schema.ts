import { z } from "zod";
import { safeInt } from "../../lib/safe-text";
import { createDraft, diffSchema, discardDraft, discardInput, listSchemaVersions, publishInput, publishSchema, saveDraft, saveDraftInput } from "../../ops/governance/schema-versions";
import { defineField, defineFieldInput, previewField, previewFieldInput, removeField, removeFieldInput } from "../../ops/governance/schema-fields";
import { adminProcedure, createTRPCRouter } from "../init";

export const opsSchemaRouter = createTRPCRouter({
  list: adminProcedure.query(({ ctx }) => listSchemaVersions(ctx.rt.db, ctx.actor)),
  diff: adminProcedure.input(z.object({ version: safeInt(1) })).query(({ ctx, input }) => diffSchema(ctx.rt.db, ctx.actor, input.version)),
  createDraft: adminProcedure.mutation(({ ctx }) => createDraft(ctx.rt.db, ctx.actor)),
  saveDraft: adminProcedure.input(saveDraftInput).mutation(({ ctx, input }) => saveDraft(ctx.rt.db, ctx.actor, input)),
  discardDraft: adminProcedure.input(discardInput).mutation(async ({ ctx, input }) => {
    await discardDraft(ctx.rt.db, ctx.actor, input);
    return { ok: true };
  }),
  /** Adds (or redefines) a field the record never had on the draft; invalid definitions are a 400 naming the problem. */
  defineField: adminProcedure.input(defineFieldInput).mutation(({ ctx, input }) => defineField(ctx.rt.db, ctx.actor, input)),
  removeField: adminProcedure.input(removeFieldInput).mutation(({ ctx, input }) => removeField(ctx.rt.db, ctx.actor, input)),
  /** Which current records would lack the field or hold a value that does not fit, from the stored events. */
  previewField: adminProcedure.input(previewFieldInput).query(({ ctx, input }) => previewField(ctx.rt.db, ctx.actor, input)),
  publish: adminProcedure.input(publishInput).mutation(({ ctx, input }) => publishSchema(ctx.rt, ctx.actor, input)),
});
