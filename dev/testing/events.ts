import type { SourceKind } from "../../server/intake/event-schemas";

/** Builders of valid docs/api.md events for tests, overridable field by field. */
let seq = 0;
const at = (minute: number) => new Date(Date.UTC(2026, 10, 27, 0, minute)).toISOString();

export interface TestEvent {
  kind: SourceKind;
  body: { type: string; caseId: string; entity: { kind: string; id: string }; version: number; occurredAt: string; data: Record<string, unknown> };
}

export function ticket(caseId: string, version: number, data: Record<string, unknown> = {}, ticketId = `TCK-${caseId}`): TestEvent {
  return {
    kind: "ticketing",
    body: {
      type: "ticket.updated",
      caseId,
      entity: { kind: "ticket", id: ticketId },
      version,
      occurredAt: at(version),
      data: {
        accountId: "ACC-1",
        customerName: "Acme Corp",
        subject: "Invoices fail to render",
        status: "open",
        severity: "S2",
        productArea: "payments/billing",
        reproduction: { status: "in_progress", steps: "Open an invoice" },
        notes: [],
        ...data,
      },
    },
  };
}

export function entitlement(accountId: string, version: number, data: Record<string, unknown> = {}, caseId = "*"): TestEvent {
  return {
    kind: "entitlement",
    body: {
      type: "entitlement.changed",
      caseId,
      entity: { kind: "account", id: accountId },
      version,
      occurredAt: at(version),
      data: { accountId, serviceTier: "premium", status: "active", contractId: `CTR-${accountId}`, validUntil: "2027-12-31", ...data },
    },
  };
}

export function incident(incidentId: string, version: number, data: Record<string, unknown> = {}): TestEvent {
  const caseIds = (data.caseIds as string[] | undefined) ?? ["CASE-1"];
  return {
    kind: "incident",
    body: {
      type: "incident.updated",
      caseId: caseIds[0] ?? "CASE-1",
      entity: { kind: "incident", id: incidentId },
      version,
      occurredAt: at(version),
      data: { incidentId, title: "Elevated errors", severity: "S2", status: "investigating", classification: "degradation", affectedAccounts: ["ACC-1"], caseIds, ...data },
    },
  };
}

export const SHA = "a".repeat(64);

export function bundle(caseId: string, bundleId: string, version: number, data: Record<string, unknown> = {}): TestEvent {
  return {
    kind: "diagnostics",
    body: {
      type: "diagnostic_bundle.uploaded",
      caseId,
      entity: { kind: "bundle", id: bundleId },
      version,
      occurredAt: at(version),
      data: {
        bundleId,
        uri: `s3://diag/${bundleId}.zip`,
        sha256: SHA,
        sizeBytes: 1024,
        integrity: "ok",
        approval: { status: "customer_approved", by: "cust@example.com", at: at(version) },
        logs: [{ name: "app.log", uri: `s3://diag/${bundleId}/app.log`, sha256: SHA, sizeBytes: 100 }],
        ...data,
      },
    },
  };
}

export function environment(environmentId: string, version: number, data: Record<string, unknown> = {}, caseId = "CASE-1"): TestEvent {
  return {
    kind: "environment",
    body: {
      type: "environment.snapshot",
      caseId,
      entity: { kind: "environment", id: environmentId },
      version,
      occurredAt: at(version),
      data: {
        environmentId,
        productVersion: "5.4.1",
        deployment: "saas",
        os: "linux",
        region: "eu-west-1",
        components: [{ name: "api", version: "5.4.1" }],
        capturedAt: at(version),
        ...data,
      },
    },
  };
}

export function nextWebhookId(): string {
  return `msg_test_${++seq}_${Math.random().toString(36).slice(2, 8)}`;
}
