/**
 * The causes of a delta entry (docs/domain.md "Delta and causes"): their names, the order the
 * read API and the reviewer list them in, and their labels. Plain TypeScript shared by the server
 * (server/refresh) and the UI (components/lib/causes.ts): no database, no secrets.
 */
export const CAUSES = [
  "diagnostics",
  "entitlement_correction",
  "incident_change",
  "environment_refresh",
  "ticket_update",
  "routine_carry_forward",
  "schema_change",
  "manual_override",
] as const;
export type Cause = (typeof CAUSES)[number];

/** Diagnostics first; routine ticket-note carry-forward last and named as such. */
export const CAUSE_ORDER: Cause[] = [
  "diagnostics",
  "manual_override",
  "incident_change",
  "entitlement_correction",
  "environment_refresh",
  "ticket_update",
  "schema_change",
  "routine_carry_forward",
];

export const CAUSE_LABEL: Record<Cause, string> = {
  diagnostics: "New diagnostics",
  entitlement_correction: "Entitlement correction",
  incident_change: "Incident change",
  environment_refresh: "Environment refresh",
  ticket_update: "Ticket update",
  routine_carry_forward: "Routine ticket-note carry-forward",
  schema_change: "Schema change",
  manual_override: "Manual override",
};
