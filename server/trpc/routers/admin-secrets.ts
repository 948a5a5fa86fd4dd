import { listSourceSecrets, revokeSecretInput, revokeSourceSecret, rotateSecretInput, rotateSourceSecret } from "../../sources/secrets";
import { adminProcedure, createTRPCRouter } from "../init";

export const adminSecretsRouter = createTRPCRouter({
  list: adminProcedure.query(({ ctx }) => listSourceSecrets(ctx.rt, ctx.actor)),
  /** The only answer that ever contains the new secret. */
  rotate: adminProcedure.input(rotateSecretInput).mutation(({ ctx, input }) => rotateSourceSecret(ctx.rt, ctx.actor, input)),
  revoke: adminProcedure.input(revokeSecretInput).mutation(async ({ ctx, input }) => {
    await revokeSourceSecret(ctx.rt, ctx.actor, input);
    return { ok: true };
  }),
});
