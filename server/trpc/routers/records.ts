import { z } from "zod";
import { safeInt } from "../../lib/safe-text";
import { getCurrentRecord, getVersion, listVersions } from "../../api/read-api";
import { getCaseFieldHistory } from "../../records/case-field-history";
import { compareVersions } from "../../records/compare-versions";
import { getFieldHistory } from "../../records/get-field-history";
import { getRecordOverview } from "../../records/get-record-overview";
import { getRecordAsOf, parseAsOf } from "../../records/record-as-of";
import { listRecordVersions, timelineInput } from "../../records/list-record-versions";
import { listRecords, recordFacets, recordListInput } from "../../records/list-records";
import { createTRPCRouter, readerProcedure } from "../init";

const caseId = z.string().min(1).max(200);
const version = safeInt(1);

export const recordsRouter = createTRPCRouter({
  list: readerProcedure.input(recordListInput).query(({ ctx, input }) => listRecords(ctx.rt.db, input)),
  facets: readerProcedure.query(({ ctx }) => recordFacets(ctx.rt.db)),
  current: readerProcedure.input(z.object({ caseId })).query(({ ctx, input }) => getCurrentRecord(ctx.rt.db, input.caseId)),
  versions: readerProcedure.input(z.object({ caseId })).query(({ ctx, input }) => listVersions(ctx.rt.db, input.caseId)),
  version: readerProcedure.input(z.object({ caseId, version })).query(({ ctx, input }) => getVersion(ctx.rt.db, input.caseId, input.version)),
  /** The record page: header, current version and live exceptions. */
  overview: readerProcedure.input(z.object({ caseId })).query(({ ctx, input }) => getRecordOverview(ctx.rt.db, input.caseId)),
  /** The record as it was at a moment (docs/api.md "The record at a moment"). */
  asOf: readerProcedure
    .input(z.object({ caseId, asOf: z.string().max(60) }))
    .query(({ ctx, input }) => getRecordAsOf(ctx.rt.db, input.caseId, parseAsOf(input.asOf))),
  timeline: readerProcedure.input(timelineInput).query(({ ctx, input }) => listRecordVersions(ctx.rt.db, input)),
  compare: readerProcedure
    .input(z.object({ caseId, from: version, to: version }))
    .query(({ ctx, input }) => compareVersions(ctx.rt.db, input.caseId, input.from, input.to)),
  /** Every change of every field across the case's versions (the record page's "Field history"). */
  caseHistory: readerProcedure.input(z.object({ caseId })).query(({ ctx, input }) => getCaseFieldHistory(ctx.rt.db, input.caseId)),
  fieldHistory: readerProcedure
    .input(z.object({ caseId, path: z.string().min(1).max(500), version }))
    .query(({ ctx, input }) => getFieldHistory(ctx.rt.db, input.caseId, input.path, input.version)),
});
