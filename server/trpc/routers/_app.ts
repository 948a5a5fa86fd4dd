import { createTRPCRouter } from "../init";
import { recordsRouter } from "./records";

export const appRouter = createTRPCRouter({
  records: recordsRouter,
});

export type AppRouter = typeof appRouter;
