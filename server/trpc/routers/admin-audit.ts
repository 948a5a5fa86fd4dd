import { auditFacets, auditQueryInput, listAuditLog } from "../../auth/audit-log";
import { adminProcedure, createTRPCRouter } from "../init";

export const adminAuditRouter = createTRPCRouter({
  list: adminProcedure.input(auditQueryInput).query(({ ctx, input }) => listAuditLog(ctx.rt.db, ctx.actor, input)),
  facets: adminProcedure.query(({ ctx }) => auditFacets(ctx.rt.db, ctx.actor)),
});
