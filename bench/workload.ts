import { randomBytes } from "node:crypto";
import { bundle, entitlement, environment, incident, ticket, type TestEvent } from "../server/testing/events";
import { signWebhook, type SignedRequest } from "../server/simulator/sign";

export const SOURCES = ["ticketing", "entitlement", "incident", "diagnostics", "environment"] as const;

export function benchSecrets(): Record<string, string> {
  return Object.fromEntries(SOURCES.map((s) => [s, "whsec_" + randomBytes(32).toString("base64")]));
}

export function secretEnv(secrets: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(secrets).map(([s, v]) => [`WEBHOOK_SECRET_${s.toUpperCase()}`, v]));
}

/**
 * The k-th event of a realistic mix over `cases` cases: mostly ticket updates, then entitlement,
 * incident, diagnostics and environment changes; every event a new version of its entity.
 */
export function eventAt(k: number, cases: number): TestEvent {
  const caseNo = k % cases;
  const round = Math.floor(k / cases) + 1;
  const caseId = `BENCH-${caseNo}`;
  const account = `ACC-B${caseNo % Math.max(1, Math.floor(cases / 4))}`;
  const slot = round % 10;
  if (slot === 3) return entitlement(account, round * cases + caseNo, { serviceTier: caseNo % 2 ? "premium" : "enterprise" }, caseId);
  if (slot === 5) return incident(`INC-B${caseNo}`, round, { caseIds: [caseId], affectedAccounts: [account], severity: "S2" });
  if (slot === 7) return bundle(caseId, `BND-B${caseNo}-${round}`, 1);
  if (slot === 9) return environment(`ENV-B${caseNo}`, round, {}, caseId);
  return ticket(caseId, round, {
    accountId: account,
    environmentId: `ENV-B${caseNo}`,
    severity: "S2",
    notes: Array.from({ length: Math.min(round, 20) }, (_, i) => ({ id: `n${i}`, author: "agent", body: `Update ${i} on ${caseId}`, at: new Date(Date.UTC(2026, 10, 27, 0, i)).toISOString() })),
  });
}

export function signedAt(k: number, cases: number, baseUrl: string, secrets: Record<string, string>, runId: string): SignedRequest {
  const ev = eventAt(k, cases);
  return signWebhook({ baseUrl, source: ev.kind, secret: secrets[ev.kind]!, webhookId: `bench_${runId}_${k}`, body: JSON.stringify(ev.body) });
}
