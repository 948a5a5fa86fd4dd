import { z } from "zod";
import { eventFacets, eventListInput, listEvents } from "../../events/list-events";
import { getEvent } from "../../events/get-event";
import { listRefusals, refusalListInput } from "../../events/list-refusals";
import { createTRPCRouter, readerProcedure } from "../init";

export const eventsRouter = createTRPCRouter({
  list: readerProcedure.input(eventListInput).query(({ ctx, input }) => listEvents(ctx.rt.db, input)),
  facets: readerProcedure.query(({ ctx }) => eventFacets(ctx.rt.db)),
  get: readerProcedure.input(z.object({ id: z.string().min(1).max(100) })).query(({ ctx, input }) => getEvent(ctx.rt.db, input.id)),
  refusals: readerProcedure.input(refusalListInput).query(({ ctx, input }) => listRefusals(ctx.rt.db, input)),
});
