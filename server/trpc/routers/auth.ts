import { z } from "zod";
import { listLiveSessions, revokeOwnSession, signOutOtherSessions } from "../../auth/session";
import { createTRPCRouter, readerProcedure } from "../init";

/** The signed-in user's own sessions. Signing out of this session is POST /api/auth/sign-out (it clears the cookie). */
export const authRouter = createTRPCRouter({
  sessions: readerProcedure.query(async ({ ctx }) => {
    const rows = await listLiveSessions(ctx.rt.db, ctx.user.id);
    return rows.map((s) => ({ ...s, current: s.id === ctx.user.sessionId }));
  }),
  revokeSession: readerProcedure.input(z.object({ id: z.string().min(1).max(100) })).mutation(async ({ ctx, input }) => {
    await revokeOwnSession(ctx.rt.db, ctx.actor, ctx.user.id, input.id);
    return { ok: true };
  }),
  signOutOthers: readerProcedure.mutation(async ({ ctx }) => ({ revoked: await signOutOtherSessions(ctx.rt.db, ctx.actor, ctx.user.id, ctx.user.sessionId) })),
});
