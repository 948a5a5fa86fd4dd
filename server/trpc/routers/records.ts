import { z } from "zod";
import { getCurrentRecord, getVersion, listVersions } from "../../api/read-api";
import { listRecords, recordFacets, recordListInput } from "../../records/list-records";
import { createTRPCRouter, readerProcedure } from "../init";

const caseId = z.string().min(1).max(200);

export const recordsRouter = createTRPCRouter({
  list: readerProcedure.input(recordListInput).query(({ ctx, input }) => listRecords(ctx.rt.db, input)),
  facets: readerProcedure.query(({ ctx }) => recordFacets(ctx.rt.db)),
  current: readerProcedure.input(z.object({ caseId })).query(({ ctx, input }) => getCurrentRecord(ctx.rt.db, input.caseId)),
  versions: readerProcedure.input(z.object({ caseId })).query(({ ctx, input }) => listVersions(ctx.rt.db, input.caseId)),
  version: readerProcedure
    .input(z.object({ caseId, version: z.number().int().min(1) }))
    .query(({ ctx, input }) => getVersion(ctx.rt.db, input.caseId, input.version)),
});
