import { createHmac, randomBytes } from "node:crypto";
import { bundle, entitlement, environment, incident, ticket, type TestEvent } from "../dev/testing/events";
import type { SignedRequest } from "../dev/simulator/sign";

export const SOURCES = ["ticketing", "entitlement", "incident", "diagnostics", "environment"] as const;

export function benchSecrets(): Record<string, string> {
  return Object.fromEntries(SOURCES.map((s) => [s, "whsec_" + randomBytes(32).toString("base64")]));
}

export function secretEnv(secrets: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(secrets).map(([s, v]) => [`WEBHOOK_SECRET_${s.toUpperCase()}`, v]));
}

/**
 * The k-th event of a realistic mix over `cases` cases: mostly ticket updates, then entitlement,
 * incident, diagnostics and environment changes; every event a new version of its entity that
 * changes the record (a new ticket note, a new validity date, incident title or product version,
 * a new diagnostic bundle), so every refresh has real work to do.
 *
 * `lifetime` (rounds; default: forever) retires cases as a support organisation does: after that
 * many rounds each case slot opens a new case (with its own account, incident, environment and
 * bundles) and the old one goes quiet. Without it a case gains a diagnostics bundle every ten
 * rounds for ever, so over a long run every refresh re-materialises a larger record; with it the
 * record a refresh builds stays the same size while the database keeps growing (bench:soak).
 */
export function eventAt(k: number, cases: number, lifetime = Infinity): TestEvent {
  const caseNo = k % cases;
  const round = Math.floor(k / cases) + 1;
  const generation = Number.isFinite(lifetime) ? Math.floor((round - 1) / lifetime) : 0;
  // Rounds into the case's own life (versions stay the global round: they only need to grow).
  const age = round - generation * lifetime;
  const g = generation ? `-g${generation}` : "";
  const caseId = `BENCH-${caseNo}${g}`;
  const accounts = Math.max(1, Math.floor(cases / 4));
  const account = `ACC-B${caseNo % accounts}${g}`;
  // Cases are at different points of their cycle, so each kind of change is spread over the stream.
  const slot = (round + caseNo) % 10;
  // An account's entitlement changes once a round (it fans out to the account's four cases).
  if (slot === 3 && caseNo < accounts) {
    const validUntil = new Date(Date.UTC(2027, 0, 1) + round * 86_400_000).toISOString().slice(0, 10);
    return entitlement(account, round * cases + caseNo, { serviceTier: caseNo % 2 ? "premium" : "enterprise", validUntil }, caseId);
  }
  if (slot === 5) return incident(`INC-B${caseNo}${g}`, round, { caseIds: [caseId], affectedAccounts: [account], severity: "S2", title: `Elevated errors, update ${round}` });
  if (slot === 7) return bundle(caseId, `BND-B${caseNo}-${round}`, 1);
  if (slot === 9) return environment(`ENV-B${caseNo}${g}`, round, { productVersion: `5.4.${round}` }, caseId);
  return ticket(caseId, round, {
    accountId: account,
    environmentId: `ENV-B${caseNo}${g}`,
    severity: "S2",
    // The newest 20 notes: each update adds one (routine carry-forward for the rest).
    notes: Array.from({ length: Math.min(age, 20) }, (_, i) => {
      const n = age - Math.min(age, 20) + i + 1;
      return { id: `n${n}`, author: "agent", body: `Update ${n} on ${caseId}`, at: new Date(Date.UTC(2026, 10, 27) + n * 60_000).toISOString() };
    }),
  });
}

const keys = new Map<string, Buffer>();

/**
 * The Standard Webhooks signature (v1, HMAC-SHA256 over "id.timestamp.body" with the secret's
 * bytes), computed with node:crypto: the sender signs each request as it sends it, and the
 * package's pure-JavaScript hash would make the load generator, not the server, the bottleneck.
 * The server verifies with the standardwebhooks package; any mismatch would show as 401s.
 */
export function sign(secret: string, webhookId: string, timestamp: number, body: string): string {
  let key = keys.get(secret);
  if (!key) keys.set(secret, (key = Buffer.from(secret.replace(/^whsec_/, ""), "base64")));
  return "v1," + createHmac("sha256", key).update(`${webhookId}.${timestamp}.${body}`).digest("base64");
}

/** An event as the production server receives it: POSTed to its source's webhook, signed now. */
export function signedEvent(ev: TestEvent, webhookId: string, baseUrl: string, secrets: Record<string, string>): SignedRequest {
  const body = JSON.stringify(ev.body);
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    url: `${baseUrl}/api/webhooks/${ev.kind}`,
    headers: { "content-type": "application/json", "webhook-id": webhookId, "webhook-timestamp": String(timestamp), "webhook-signature": sign(secrets[ev.kind]!, webhookId, timestamp, body) },
    body,
  };
}

export function signedAt(k: number, cases: number, baseUrl: string, secrets: Record<string, string>, runId: string, lifetime = Infinity): SignedRequest {
  return signedEvent(eventAt(k, cases, lifetime), `bench_${runId}_${k}`, baseUrl, secrets);
}

/**
 * The k-th update in a stream where nothing folds: a new version of the ticket of synthetic case
 * SYN-(k+1) (dev/testing/synthetic-history.ts seeds those cases with two ticket versions), a
 * different case each time, so every event costs one whole refresh of a case with history.
 */
export function distinctCaseUpdate(k: number, cases: number): TestEvent {
  const i = (k % cases) + 1;
  const round = Math.floor(k / cases);
  const accounts = Math.max(1, Math.floor(cases / 4));
  return ticket(
    `SYN-${i}`,
    3 + round,
    {
      accountId: `SACC-${i % accounts}`,
      customerName: `Customer ${i % 997}`,
      subject: `Synthetic subject ${i}`,
      severity: `S${1 + (i % 4)}`,
      productArea: "billing-api",
      environmentId: `SENV-${i % accounts}`,
      notes: [{ id: `n${3 + round}`, author: "agent", body: `Update ${3 + round} on SYN-${i}`, at: "2026-11-27T03:00:00Z" }],
    },
    `STCK-${i}`,
  );
}

export function signedDistinct(k: number, cases: number, baseUrl: string, secrets: Record<string, string>, runId: string): SignedRequest {
  return signedEvent(distinctCaseUpdate(k, cases), `bench_${runId}_${k}`, baseUrl, secrets);
}
