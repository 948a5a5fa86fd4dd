import { z } from "zod";
import { audit } from "../../lib/audit";
import { AppError } from "../../lib/errors";
import { listLiveSessions, revokeUserSessions } from "../../auth/session";
import { createTRPCRouter, readerProcedure } from "../init";

/** The signed-in user's own sessions. Signing out of this session is POST /api/auth/sign-out (it clears the cookie). */
export const authRouter = createTRPCRouter({
  sessions: readerProcedure.query(async ({ ctx }) => {
    const rows = await listLiveSessions(ctx.rt.db, ctx.user.id);
    return rows.map((s) => ({ ...s, current: s.id === ctx.user.sessionId }));
  }),

  revokeSession: readerProcedure.input(z.object({ id: z.string().min(1).max(100) })).mutation(async ({ ctx, input }) => {
    await ctx.rt.db.$transaction(async (tx) => {
      // Object-level: only one's own sessions; someone else's id answers like a missing one.
      const s = await tx.session.findFirst({ where: { id: input.id, userId: ctx.user.id, revokedAt: null }, select: { id: true } });
      if (!s) throw new AppError("NOT_FOUND", "no such live session of yours");
      await tx.session.update({ where: { id: s.id }, data: { revokedAt: new Date() } });
      await audit(tx, ctx.actor, { action: "auth.revoke_session", targetType: "session", targetId: s.id });
    });
    return { ok: true };
  }),

  signOutOthers: readerProcedure.mutation(async ({ ctx }) => {
    const revoked = await ctx.rt.db.$transaction(async (tx) => {
      const n = await revokeUserSessions(tx, ctx.user.id, { exceptSessionId: ctx.user.sessionId });
      await audit(tx, ctx.actor, { action: "auth.sign_out_others", targetType: "user", targetId: ctx.user.id, after: { revokedSessions: n } });
      return n;
    });
    return { revoked };
  }),
});
