import { createTRPCRouter } from "../init";
import { meRouter } from "./me";
import { recordsRouter } from "./records";

export const appRouter = createTRPCRouter({
  me: meRouter,
  records: recordsRouter,
});

export type AppRouter = typeof appRouter;
