import type { DiagnosticsData, EntitlementData, EnvironmentData, IncidentData, TicketData } from "../intake/event-schemas";
import { buildCandidate } from "./build-candidate";
import { canonical, getAt } from "../../shared/pointer";
import type { CaseInputs, EntityState, ReferenceData } from "./types";

/** A ticket no source sent: the record needs one to exist; its leaves are filtered out below. */
const PLACEHOLDER_TICKET: TicketData = {
  accountId: "-",
  customerName: "-",
  subject: "-",
  status: "open",
  severity: "S4",
  productArea: "-",
  reproduction: { status: "not_attempted", steps: "" },
  notes: [],
};
const PLACEHOLDER = "\u0000placeholder";

/**
 * The record leaves one entity state gives a case (JSON Pointer → canonical JSON), built by the
 * record's own code (buildCandidate) with that entity alone, so "the value a rule reads from this
 * event" means exactly what the record would hold. Used to compare two versions of one entity: list
 * positions are stable because the entity is alone in its list. An incident that does not list the
 * case contributes nothing (it is not linked).
 */
export function entitySlice(caseId: string, state: EntityState<unknown>, ref: ReferenceData): Map<string, string> {
  const inputs: CaseInputs = { caseId, tickets: [], entitlement: null, incidents: [], bundles: [], environment: null };
  switch (state.sourceKind) {
    case "ticketing":
      inputs.tickets.push(state as EntityState<TicketData>);
      break;
    case "entitlement":
      inputs.entitlement = state as EntityState<EntitlementData>;
      break;
    case "incident":
      inputs.incidents.push(state as EntityState<IncidentData>);
      break;
    case "diagnostics":
      inputs.bundles.push(state as EntityState<DiagnosticsData>);
      break;
    case "environment":
      inputs.environment = state as EntityState<EnvironmentData>;
      break;
  }
  if (!inputs.tickets.length) inputs.tickets.push({ ...state, sourceName: PLACEHOLDER, entityId: PLACEHOLDER, data: PLACEHOLDER_TICKET });
  const candidate = buildCandidate(inputs, ref)!;
  const out = new Map<string, string>();
  for (const [path, lin] of Object.entries(candidate.lineage)) {
    if (lin.source !== state.sourceName || lin.entityId !== state.entityId) continue;
    const value = getAt(candidate.record, path);
    if (value !== null && typeof value === "object") continue; // a list item: its leaves are in the slice
    out.set(path, canonical(value));
  }
  return out;
}
