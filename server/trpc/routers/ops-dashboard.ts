import { z } from "zod";
import { getDashboardCached } from "../../ops/dashboard/dashboard-metrics";
import { windowKey } from "../../ops/dashboard/windows";
import { createTRPCRouter, readerProcedure } from "../init";

/** Every signed-in role reads the dashboard; acting on what it shows is on the admin screens. */
export const opsDashboardRouter = createTRPCRouter({
  get: readerProcedure.input(z.object({ window: windowKey })).query(({ ctx, input }) => getDashboardCached(ctx.rt.db, input.window)),
});
