import { createApiToken, createTokenInput, listApiTokens, revokeApiToken, tokenIdInput } from "../../auth/api-tokens";
import { adminProcedure, createTRPCRouter } from "../init";

export const adminTokensRouter = createTRPCRouter({
  list: adminProcedure.query(async ({ ctx }) => ({
    tokens: await listApiTokens(ctx.rt.db, ctx.actor),
    /** API_TOKEN from the environment works too; it is never shown. */
    envTokenConfigured: !!ctx.rt.env.API_TOKEN,
  })),
  /** The only answer that ever contains the token. */
  create: adminProcedure.input(createTokenInput).mutation(({ ctx, input }) => createApiToken(ctx.rt.db, ctx.actor, input)),
  revoke: adminProcedure.input(tokenIdInput).mutation(async ({ ctx, input }) => {
    await revokeApiToken(ctx.rt.db, ctx.actor, input);
    return { ok: true };
  }),
});
