import { CONTACT_FIRST } from "../simulator/catalog";
import { digestOf } from "../simulator/random";
import { ACCOUNTS, CASES, DEMO_CASES, ENVIRONMENTS, INCIDENTS, LINKED } from "./demo-cast";
import { packRounds, type DemoScenario } from "./pack-rounds";
import { ScenarioBuilder } from "./scenario-builder";

export { packRounds } from "./pack-rounds";
export type { DemoActionStep, DemoEventStep, DemoRound, DemoScenario, DemoStep } from "./pack-rounds";
export { DEMO_CASES } from "./demo-cast";

/**
 * The embedded demo as data: realistic cases whose sources evolve over two days, with every delta
 * cause and every conflict rule, some conflicts resolved by a specialist and one left open per
 * rule. Pure and deterministic for a given `startMs` (when the story begins, about a day and a
 * half before the demo runs).
 */
export function buildDemoScenario(startMs: number): DemoScenario {
  const b = new ScenarioBuilder(startMs);
  const routineLeft = new Map(CASES.map((c) => [c.id, c.routine]));
  const routinePhase = (share: number) => {
    // Round-robin over the cases, so the story interleaves as a real day would.
    const quota = new Map(CASES.map((c) => [c.id, Math.round(c.routine * share)]));
    for (let more = true; more; ) {
      more = false;
      for (const c of CASES) {
        const q = quota.get(c.id)!;
        const left = routineLeft.get(c.id)!;
        if (q <= 0 || left <= 0) continue;
        b.routine(c.id, LINKED.has(c.id));
        quota.set(c.id, q - 1);
        routineLeft.set(c.id, left - 1);
        more = true;
      }
    }
  };

  // Day 1: cases open, and their accounts, environments and incidents arrive.
  CASES.forEach((c, i) => {
    const customer = ACCOUNTS.find((a) => a.id === c.account)!.customer;
    b.ticket(c.id, (t) => t.notes.push(b.note(c.id, `Case opened: ${c.subject}.`, `${CONTACT_FIRST[i % CONTACT_FIRST.length]} (${customer})`)));
  });
  for (const a of ACCOUNTS) b.entitlement(a.id);
  for (const envId of Object.keys(ENVIRONMENTS)) b.environment(envId);
  for (const id of Object.keys(INCIDENTS)) b.incident(id);

  // A scripted first bundle for Litware: approved, so a later unapproved upload collides with it.
  const litwareApproved = b.newBundle("CASE-1048", ["export-scheduler"]);
  b.approve(litwareApproved);
  routinePhase(0.45);

  b.incident("INC-5101", (i) => (i.status = "identified"));
  b.incident("INC-5102", (i) => (i.status = "identified"));
  b.entitlement("ACC-20417", (e) => {
    e.validUntil = "2027-06-30";
    e.correction = { reason: "Renewal date corrected: contract amendment A2 extends the term to 30 June 2027." };
  });
  b.entitlement("ACC-21244", (e) => {
    e.serviceTier = "Premium Support";
    e.correction = { reason: "Upgraded from Standard to Premium on 2026-11-20; the billing system lagged behind." };
  });
  b.environment("ENV-NW-PROD", (e) => {
    e.productVersion = "2026.11.1";
    e.components = e.components.map((c) => (c.name === "invoice-renderer" ? { ...c, version: "7.2.0" } : c));
  });
  b.environment("ENV-CW-US", (e) => {
    e.productVersion = "2026.10.0";
  });
  b.incident("INC-5104", (i) => (i.status = "monitoring"));

  // Conflicts a specialist resolves: an override, a rejection and two approvals.
  b.incident("INC-5101", (i) => {
    i.severity = "S1";
    i.title = "Payments platform: invoice and payment APIs failing for EU customers";
  });
  b.action({
    kind: "resolve",
    caseId: "CASE-1041",
    rule: "SEVERITY_CONFLICT",
    resolution: "override",
    path: "/case/severity",
    value: "S2",
    note: "Customer impact is limited to invoice previews; aligned with the duty manager to track this case at S2 under the S1 incident.",
    touches: ["CASE-1041"],
  });
  const woodgroveEmpty = b.newBundle("CASE-1047", ["invoice-renderer", "billing-api"], { sizeBytes: 0 });
  b.action({
    kind: "resolve",
    caseId: "CASE-1047",
    rule: "DIAGNOSTIC_CORRUPTED",
    resolution: "reject",
    note: "The upload stopped at 0 bytes (the customer's proxy cut it off). Rejected; the customer will upload the bundle again.",
    touches: ["CASE-1047"],
  });
  b.ticket("CASE-1051", (t) => {
    t.productArea = "Scheduled reports";
    t.notes.push(b.note("CASE-1051", "Customer clarifies the failing exports are the ones created under Scheduled reports."));
  });
  b.action({
    kind: "resolve",
    caseId: "CASE-1051",
    rule: "SCHEMA_INVALID",
    resolution: "approve",
    note: "Scheduled reports is the customer's name for Data Export schedules; approving while the taxonomy gets the alias.",
    touches: ["CASE-1051"],
  });
  b.entitlement("ACC-21110", (e) => {
    e.serviceTier = "Premium Plus";
    e.correction = { reason: "Renewed on the new Premium Plus plan on 2026-11-25." };
  });
  b.action({
    kind: "resolve",
    caseId: "CASE-1052",
    rule: "ENTITLEMENT_INCONSISTENT",
    resolution: "approve",
    note: "Premium Plus is the new commercial name of the Premium plan; confirmed with the account team.",
    touches: ["CASE-1052"],
  });

  // Day 2: the story goes on; the ticket now agrees with the override, the bundle is re-uploaded.
  b.ticket("CASE-1041", (t) => {
    t.severity = "S2";
    t.notes.push(b.note("CASE-1041", "Severity set to S2 in the ticket as agreed with the duty manager."));
  });
  b.updateBundle(woodgroveEmpty, (x) => {
    x.sizeBytes = 48_213_504;
    x.uri = x.uri.replace(".zip", "-reupload.zip");
    x.sha256 = digestOf(x.uri);
  });
  routinePhase(0.6);
  b.incident("INC-5101", (i) => (i.status = "monitoring"));
  b.incident("INC-5104", (i) => (i.status = "resolved"));
  b.environment("ENV-FB-PROD", (e) => {
    e.productVersion = "2026.11.0";
  });
  b.entitlement("ACC-20618", (e) => {
    e.contractId = "CTR-2025-0618-R1";
    e.correction = { reason: "Contract id corrected after the billing-system migration." };
  });
  b.incident("INC-5103", (i) => (i.status = "identified"));

  // Reference data catches up: the alias makes the product area and the tier normalise.
  b.action({ kind: "alias", aliasKind: "product", alias: "Scheduled reports", code: "data-export", note: "Customers call Data Export schedules Scheduled reports.", touches: ["CASE-1051"] });
  b.action({ kind: "alias", aliasKind: "tier", alias: "Premium Plus", code: "premium", note: "New commercial name of the Premium plan since November 2026.", touches: ["CASE-1052"] });
  routinePhase(1);
  b.incident("INC-5101", (i) => (i.status = "resolved"));

  // Conflicts left open for the exception queue, one per rule.
  b.incident("INC-5102", (i) => {
    i.severity = "S3";
    i.status = "monitoring";
  });
  b.ticket("CASE-1044", (t) => {
    t.declaredServiceTier = "Enterprise Support";
    t.notes.push(b.note("CASE-1044", "Customer states they moved to Enterprise Support last week and expects the 30-minute SLA."));
  });
  b.newBundle("CASE-1046", ["scim-service"], { integrity: "failed" });
  const approvedLogs = b.bundles.get(litwareApproved)!.data.logs.map((l) => l.name);
  b.newBundle("CASE-1048", [], { approval: { status: "unapproved" } }, approvedLogs);
  b.incident("INC-5103", (i) => {
    i.caseIds = [...i.caseIds, "CASE-1049"];
  });
  b.ticket("CASE-1050", (t) => {
    t.productArea = "Mobile SDK";
    t.notes.push(b.note("CASE-1050", "Only the mobile app is affected; moving the case to the Mobile SDK team."));
  });
  b.action({ kind: "onboard", name: "ticketing-emea", sourceKind: "ticketing", note: "The EMEA follow-the-sun desk runs its own ticketing system.", touches: ["CASE-1053"] });
  // The EMEA desk's ticket carries the case as the AMER ticket left it, plus its own changes.
  b.ticket(
    "CASE-1053",
    (t) => {
      t.status = "pending";
      t.notes.push(b.note("CASE-1053", "Handover from the AMER desk: EMEA follows up with the customer during business hours.", "Elena Petrova (Escalations)"));
    },
    "ticketing-emea",
    "EMEA-TCK-1053",
  );
  // Later events still build candidates: the open exceptions show the newest one.
  b.ticket("CASE-1043", (t) => t.notes.push(b.note("CASE-1043", "Customer reports logins still fail for roughly 40% of users.")));
  b.ticket("CASE-1050", (t) => t.notes.push(b.note("CASE-1050", "Mobile SDK team acknowledged the case.")));

  const rounds = packRounds(b.steps);
  return {
    rounds,
    events: b.steps.filter((s) => s.kind === "event").length,
    cases: DEMO_CASES,
    openByRule: {
      SEVERITY_CONFLICT: "CASE-1043",
      ENTITLEMENT_INCONSISTENT: "CASE-1044",
      DIAGNOSTIC_CORRUPTED: "CASE-1046",
      UNAPPROVED_EVIDENCE: "CASE-1048",
      CASE_BOUNDARY_CONFLICT: "CASE-1049",
      SCHEMA_INVALID: "CASE-1050",
      REVIEW_REQUIRED: "CASE-1053",
    },
  };
}

