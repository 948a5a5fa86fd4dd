import { listSources, onboardInput, onboardNewSource, setRateLimitInput, setSourceEnabled, setSourceEnabledInput, setSourceRateLimit } from "../../sources/manage-sources";
import { adminProcedure, createTRPCRouter } from "../init";

export const opsSourcesRouter = createTRPCRouter({
  list: adminProcedure.query(({ ctx }) => listSources(ctx.rt.db, ctx.rt.secrets, ctx.actor)),
  /** The only answer that ever contains the new source's secret. */
  onboard: adminProcedure.input(onboardInput).mutation(({ ctx, input }) => onboardNewSource(ctx.rt, ctx.rt.secrets, ctx.actor, input)),
  setEnabled: adminProcedure.input(setSourceEnabledInput).mutation(({ ctx, input }) => setSourceEnabled(ctx.rt, ctx.actor, input)),
  setRateLimit: adminProcedure.input(setRateLimitInput).mutation(({ ctx, input }) => setSourceRateLimit(ctx.rt, ctx.actor, input)),
});
