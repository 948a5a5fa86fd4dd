import { createTRPCRouter, publicProcedure } from "../init";

export const meRouter = createTRPCRouter({
  /** The signed-in user, or null; the UI shows only what the role may use. */
  get: publicProcedure.query(({ ctx }) => (ctx.user ? { id: ctx.user.id, name: ctx.user.name, email: ctx.user.email, role: ctx.user.role } : null)),
});
