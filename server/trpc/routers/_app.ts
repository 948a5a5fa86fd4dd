import { createTRPCRouter } from "../init";
import { adminAuditRouter } from "./admin-audit";
import { adminOutboundRouter } from "./admin-outbound";
import { adminSecretsRouter } from "./admin-secrets";
import { adminTokensRouter } from "./admin-tokens";
import { adminUsersRouter } from "./admin-users";
import { authRouter } from "./auth";
import { meRouter } from "./me";
import { recordsRouter } from "./records";
import { exceptionsRouter } from "./exceptions";
import { eventsRouter } from "./events";
import { opsDashboardRouter } from "./ops-dashboard";
import { opsJobsRouter } from "./ops-jobs";
import { opsPoliciesRouter } from "./ops-policies";
import { opsReferenceRouter } from "./ops-reference";
import { opsSchemaRouter } from "./ops-schema";
import { opsSourcesRouter } from "./ops-sources";

export const appRouter = createTRPCRouter({
  auth: authRouter,
  adminUsers: adminUsersRouter,
  adminTokens: adminTokensRouter,
  adminSecrets: adminSecretsRouter,
  adminAudit: adminAuditRouter,
  adminOutbound: adminOutboundRouter,
  me: meRouter,
  records: recordsRouter,
  exceptions: exceptionsRouter,
  events: eventsRouter,
  opsSources: opsSourcesRouter,
  opsPolicies: opsPoliciesRouter,
  opsReference: opsReferenceRouter,
  opsSchema: opsSchemaRouter,
  opsJobs: opsJobsRouter,
  opsDashboard: opsDashboardRouter,
});

export type AppRouter = typeof appRouter;
