import {
  createUser,
  createUserInput,
  listUsers,
  resetPassword,
  resetPasswordInput,
  revokeSessionsOf,
  setDisabledInput,
  setUserDisabled,
  updateUser,
  updateUserInput,
  userIdInput,
} from "../../auth/manage-users";
import { adminProcedure, createTRPCRouter } from "../init";

export const adminUsersRouter = createTRPCRouter({
  list: adminProcedure.query(({ ctx }) => listUsers(ctx.rt.db, ctx.actor)),
  create: adminProcedure.input(createUserInput).mutation(({ ctx, input }) => createUser(ctx.rt.db, ctx.actor, input)),
  update: adminProcedure.input(updateUserInput).mutation(({ ctx, input }) => updateUser(ctx.rt.db, ctx.actor, input)),
  setDisabled: adminProcedure.input(setDisabledInput).mutation(({ ctx, input }) => setUserDisabled(ctx.rt.db, ctx.actor, input)),
  resetPassword: adminProcedure.input(resetPasswordInput).mutation(({ ctx, input }) => resetPassword(ctx.rt.db, ctx.actor, input)),
  revokeSessions: adminProcedure.input(userIdInput).mutation(({ ctx, input }) => revokeSessionsOf(ctx.rt.db, ctx.actor, input)),
});
