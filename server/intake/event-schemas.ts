import { z } from "zod";

/**
 * The envelope and `data` schemas of docs/api.md: the parser, the TypeScript types and the 400 error
 * messages all come from here.
 *
 * `data` objects are loose at every level: docs/api.md lets a source send properties beyond these
 * shapes (a field added before the record maps it), and they are kept and stored with the event.
 * The envelope stays strict.
 */
const id = z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters");
const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);
const isoDate = z.iso.datetime({ offset: true, message: "must be an ISO 8601 date-time, e.g. 2026-11-27T02:10:00Z" });
const severity = z.enum(["S1", "S2", "S3", "S4"]);

export const ticketData = z.looseObject({
  accountId: id,
  customerName: text(500).min(1),
  subject: text(1000).min(1),
  status: z.enum(["open", "pending", "solved", "closed"]),
  severity,
  productArea: text(300),
  declaredServiceTier: text(200).optional(),
  environmentId: id.optional(),
  reproduction: z.looseObject({
    status: z.enum(["not_attempted", "in_progress", "reproduced", "not_reproducible"]),
    steps: text(20_000),
  }),
  notes: z
    .array(z.looseObject({ id, author: text(300), body: text(20_000), at: isoDate }))
    .max(1000, "at most 1000 notes"),
});

export const entitlementData = z.looseObject({
  accountId: id,
  serviceTier: text(200),
  status: z.enum(["active", "expired", "suspended"]),
  contractId: id,
  validUntil: isoDate.or(z.iso.date({ message: "must be an ISO 8601 date" })),
  correction: z.looseObject({ reason: text(2000).optional() }).optional(),
});

export const incidentData = z.looseObject({
  incidentId: id,
  title: text(1000),
  severity,
  status: z.enum(["investigating", "identified", "monitoring", "resolved"]),
  classification: text(300),
  affectedAccounts: z.array(id).max(10_000),
  caseIds: z.array(id).max(10_000),
});

const sha256 = z.string().max(200);
const sizeBytes = z.number().int("must be a whole number").min(0, "must not be negative").max(Number.MAX_SAFE_INTEGER);
const uri = text(2000).min(1);

export const diagnosticsData = z.looseObject({
  bundleId: id,
  uri,
  sha256,
  sizeBytes,
  integrity: z.enum(["ok", "failed"]),
  supersedes: id.optional(),
  approval: z.looseObject({
    status: z.enum(["customer_approved", "pending", "unapproved"]),
    by: text(300).optional(),
    at: isoDate.optional(),
  }),
  logs: z.array(z.looseObject({ name: text(500).min(1), uri, sha256, sizeBytes })).max(1000),
});

export const environmentData = z.looseObject({
  environmentId: id,
  productVersion: text(200),
  deployment: z.enum(["saas", "self_hosted"]),
  os: text(200),
  region: text(200),
  components: z.array(z.looseObject({ name: text(300).min(1), version: text(200) })).max(1000),
  capturedAt: isoDate,
});

export const SOURCE_KINDS = ["ticketing", "entitlement", "incident", "diagnostics", "environment"] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export const eventContract = {
  ticketing: { type: "ticket.updated", entityKind: "ticket", data: ticketData },
  entitlement: { type: "entitlement.changed", entityKind: "account", data: entitlementData },
  incident: { type: "incident.updated", entityKind: "incident", data: incidentData },
  diagnostics: { type: "diagnostic_bundle.uploaded", entityKind: "bundle", data: diagnosticsData },
  environment: { type: "environment.snapshot", entityKind: "environment", data: environmentData },
} as const;

/** The declared fields only: code reads those, never the extra properties a loose object lets through. */
type Declared<T> = T extends (infer U)[] ? Declared<U>[] : T extends object ? { [K in keyof T as string extends K ? never : K]: Declared<T[K]> } : T;

export type TicketData = Declared<z.infer<typeof ticketData>>;
export type EntitlementData = Declared<z.infer<typeof entitlementData>>;
export type IncidentData = Declared<z.infer<typeof incidentData>>;
export type DiagnosticsData = Declared<z.infer<typeof diagnosticsData>>;
export type EnvironmentData = Declared<z.infer<typeof environmentData>>;

export const envelope = z.strictObject({
  type: z.string(),
  caseId: id,
  entity: z.strictObject({ kind: z.string(), id }),
  version: z.number().int("must be a whole number").positive("must be a positive integer").max(2_147_483_647),
  occurredAt: isoDate,
  data: z.record(z.string(), z.unknown()),
});

export type Envelope = z.infer<typeof envelope>;

export interface Issue {
  path: string;
  message: string;
}

function toIssues(error: z.ZodError, prefix: (string | number)[] = []): Issue[] {
  return error.issues.map((i) => ({
    path: "/" + [...prefix, ...i.path].map((p) => String(p)).join("/"),
    message: i.message,
  }));
}

export type ParsedEvent = Envelope & { kind: SourceKind };

/**
 * Intake validates every delivery, so it uses compiled copies of the schemas (z.compile: a
 * generated fast path for valid input that falls back to the ordinary parser, with identical
 * results and issues, when the input is invalid); about three times faster than the interpreter.
 */
const compiledEnvelope = z.compile(envelope);
const compiledData: { [K in SourceKind]: z.ZodType } = {
  ticketing: z.compile(ticketData),
  entitlement: z.compile(entitlementData),
  incident: z.compile(incidentData),
  diagnostics: z.compile(diagnosticsData),
  environment: z.compile(environmentData),
};

/** Validates the envelope, the type and entity kind of the source, and `data`; lists every problem. */
export function parseEvent(kind: SourceKind, body: unknown): { ok: true; event: ParsedEvent } | { ok: false; issues: Issue[] } {
  const contract = eventContract[kind];
  const dataSchema = compiledData[kind];
  const env = compiledEnvelope.safeParse(body);
  if (!env.success) {
    const issues = toIssues(env.error);
    // Also report data problems when the envelope's data is at least an object.
    const data = (body as { data?: unknown } | null)?.data;
    if (data && typeof data === "object" && !Array.isArray(data)) {
      const d = dataSchema.safeParse(data);
      if (!d.success) issues.push(...toIssues(d.error, ["data"]));
    }
    return { ok: false, issues };
  }
  const issues: Issue[] = [];
  if (env.data.type !== contract.type) {
    issues.push({ path: "/type", message: `must be "${contract.type}" for a ${kind} source` });
  }
  if (env.data.entity.kind !== contract.entityKind) {
    issues.push({ path: "/entity/kind", message: `must be "${contract.entityKind}" for a ${kind} source` });
  }
  const data = dataSchema.safeParse(env.data.data);
  if (!data.success) issues.push(...toIssues(data.error, ["data"]));
  else {
    const keyField = { ticketing: null, entitlement: "accountId", incident: "incidentId", diagnostics: "bundleId", environment: "environmentId" }[kind];
    const keyValue = keyField ? (data.data as Record<string, unknown>)[keyField] : null;
    if (keyField && keyValue !== env.data.entity.id) {
      issues.push({ path: `/data/${keyField}`, message: `must equal entity.id ("${env.data.entity.id}")` });
    }
  }
  if (env.data.caseId === "*" && kind !== "entitlement") {
    issues.push({ path: "/caseId", message: `"*" is only allowed for entitlement events` });
  }
  if (issues.length) return { ok: false, issues };
  return { ok: true, event: { ...env.data, data: data.data as Record<string, unknown>, kind } };
}
