import { UNKNOWN_PRODUCT_AREAS } from "./catalog";
import type { Random } from "./random";
import { entitlementData, level, newBundle, SEVERITIES, type Fresh, type World } from "./simulate-world";

/** An occasional event that trips one of docs/domain.md's conflict rules, or null when the world offers none yet. */
export function conflictingEvent(rng: Random, world: World, fresh: Fresh) {
  const opened = world.cases.filter((c) => c.ticket);
  if (!opened.length) return null;
  const c = rng.pick(opened);
  const rule = rng.pick(["SEVERITY_CONFLICT", "ENTITLEMENT_INCONSISTENT", "DIAGNOSTIC_CORRUPTED", "UNAPPROVED_EVIDENCE", "CASE_BOUNDARY_CONFLICT", "SCHEMA_INVALID"] as const);
  switch (rule) {
    case "SEVERITY_CONFLICT": {
      const inc = c.incidents.map((id) => world.incidents.get(id)).find((i) => i && i.status !== "resolved");
      if (!inc) return null;
      const far = SEVERITIES.find((s) => Math.abs(level(s) - level(inc.severity)) >= 2);
      if (!far) return null;
      c.ticket = { ...c.ticket!, severity: far };
      return fresh("ticketing", c.caseId, c.ticketId, c.ticket, rule);
    }
    case "ENTITLEMENT_INCONSISTENT": {
      const a = c.account;
      a.data = rng.chance(0.5)
        ? { ...entitlementData(a, rng), correction: {} }
        : { ...entitlementData(a, rng), status: rng.pick(["suspended", "expired"] as const) };
      return fresh("entitlement", c.caseId, a.accountId, a.data, rule);
    }
    case "DIAGNOSTIC_CORRUPTED": {
      const data = newBundle(rng, world, c);
      if (rng.chance(0.5)) data.integrity = "failed";
      else data.sizeBytes = 0;
      world.bundles.set(data.bundleId, { caseId: c.caseId, data });
      c.bundles.push(data.bundleId);
      return fresh("diagnostics", c.caseId, data.bundleId, data, rule);
    }
    case "UNAPPROVED_EVIDENCE": {
      const approved = c.bundles.map((id) => world.bundles.get(id)!).find((b) => b.data.approval.status === "customer_approved");
      if (!approved) return null;
      const data = newBundle(rng, world, c, [approved.data.logs[0]!.name]);
      data.approval = { status: "unapproved" };
      world.bundles.set(data.bundleId, { caseId: c.caseId, data });
      c.bundles.push(data.bundleId);
      return fresh("diagnostics", c.caseId, data.bundleId, data, rule);
    }
    case "CASE_BOUNDARY_CONFLICT": {
      const inc = [...world.incidents.values()].find((i) => i.status !== "resolved" && !i.caseIds.includes(c.caseId) && !i.affectedAccounts.includes(c.account.accountId));
      if (!inc) return null;
      const next = { ...inc, caseIds: [...inc.caseIds, c.caseId] };
      world.incidents.set(inc.incidentId, next);
      c.incidents.push(inc.incidentId);
      return fresh("incident", next.caseIds[0]!, inc.incidentId, next, rule);
    }
    case "SCHEMA_INVALID": {
      c.ticket = { ...c.ticket!, productArea: rng.pick(UNKNOWN_PRODUCT_AREAS) };
      return fresh("ticketing", c.caseId, c.ticketId, c.ticket, rule);
    }
  }
}

