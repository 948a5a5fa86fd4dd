import { z } from "zod";
import { DEFAULT_LIMIT, MAX_LIMIT, MAX_WAIT_SECONDS } from "../feed/read-changes";
import { envelope, eventContract, SOURCE_KINDS, type SourceKind } from "../intake/event-schemas";
import { EXCEPTION_STATUSES, responseSchemas, RULES } from "./contract-schemas";

/**
 * The OpenAPI 3.1 document of docs/api.md, generated from the zod schemas the service parses
 * webhooks with (server/intake/event-schemas.ts) and its answers are checked against
 * (server/api/contract-schemas.ts), with zod's own JSON Schema (draft 2020-12, OpenAPI 3.1's
 * dialect) output. Served at GET /api/openapi.json; server/api/openapi.test.ts checks real
 * answers against it. Webhooks appear twice: per source kind under `webhooks` (OpenAPI's place
 * for requests the service receives) and as the one URL they arrive at under `paths`.
 */
const DATA_IDS: Record<SourceKind, string> = {
  ticketing: "TicketData",
  entitlement: "EntitlementData",
  incident: "IncidentData",
  diagnostics: "DiagnosticsData",
  environment: "EnvironmentData",
};
const eventId = (kind: SourceKind) => `${DATA_IDS[kind].replace(/Data$/, "")}Event`;

/** The whole delivery body a source of `kind` posts: the strict envelope with its type, entity kind and `data`. */
export const webhookBodies = Object.fromEntries(
  SOURCE_KINDS.map((kind) => {
    const c = eventContract[kind];
    return [kind, envelope.extend({ type: z.literal(c.type), entity: z.strictObject({ kind: z.literal(c.entityKind), id: envelope.shape.entity.shape.id }), data: c.data })];
  }),
) as unknown as Record<SourceKind, z.ZodType>;

/** Every schema of components.schemas, by name: the contract's answers, each kind's `data` and delivery body. */
export const documentSchemas: Record<string, z.ZodType> = {
  ...responseSchemas,
  ...Object.fromEntries(SOURCE_KINDS.map((k) => [DATA_IDS[k], eventContract[k].data])),
  ...Object.fromEntries(SOURCE_KINDS.map((k) => [eventId(k), webhookBodies[k]])),
};

type Json = Record<string, unknown>;

/** zod → JSON Schema 2020-12, one component per named schema, cross-referenced by $ref. */
export function componentSchemas(): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(documentSchemas)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { target: "draft-2020-12", io: "input", unrepresentable: "throw", uri: (id) => `#/components/schemas/${id}` });
  // The document's jsonSchemaDialect names the dialect once; a component needs no $schema or $id of its own.
  return Object.fromEntries(Object.entries(schemas).map(([id, { $schema: _s, $id: _i, ...rest }]) => [id, rest as Json]));
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json, description: string, headers?: Json) => ({ description, ...(headers ? { headers } : {}), content: { "application/json": { schema } } });
const retryAfter = { "Retry-After": { description: "seconds to wait before trying again", schema: { type: "integer", minimum: 1 } } };
const allow = { Allow: { description: "the methods this path answers", schema: { type: "string" } } };
const failure = (description: string, headers?: Json) => json(ref("Error"), description, headers);

/** The answers every route can give (docs/api.md "Rules for every route"). */
const common = {
  "405": failure("a method this path does not answer", allow),
  "500": json(ref("InternalError"), "an unexpected failure, logged under the correlation id"),
};
const readFailures = {
  "400": json(ref("BadRequest"), "a malformed path segment or query parameter"),
  "401": failure("missing, malformed, unknown or revoked bearer token"),
  "503": failure("the database is unavailable; retry after the Retry-After delay", retryAfter),
  ...common,
};

const pathParam = (name: string, description: string, schema: Json = { type: "string", minLength: 1, maxLength: 200 }) => ({ name, in: "path", required: true, description, schema });
const queryParam = (name: string, description: string, schema: Json) => ({ name, in: "query", required: false, description, schema });

function readOp(operationId: string, summary: string, okSchema: string, parameters: Json[], notFound?: string) {
  return {
    get: {
      operationId,
      summary,
      tags: ["read API"],
      security: [{ bearer: [] }],
      parameters,
      responses: { "200": json(ref(okSchema), summary), ...(notFound ? { "404": failure(notFound) } : {}), ...readFailures },
    },
  };
}

const webhookHeaders = [
  { name: "webhook-id", in: "header", required: true, description: "the delivery's id, unique per source; a repeated id is a duplicate", schema: { type: "string", minLength: 1, maxLength: 200 } },
  { name: "webhook-timestamp", in: "header", required: true, description: "Unix seconds, within 300 s of the server clock", schema: { type: "string", pattern: "^\\d+$" } },
  { name: "webhook-signature", in: "header", required: true, description: "Standard Webhooks: space-separated `v1,<base64 HMAC-SHA256 of id.timestamp.body>` entries", schema: { type: "string", pattern: "^v1,\\S+( v1,\\S+)*$" } },
];

const webhookResponses = {
  "200": json(ref("WebhookDuplicate"), "this webhook-id was already accepted from this source; nothing stored again"),
  "202": json(ref("WebhookAccepted"), "accepted and durably stored (`stale`: stored, never applied)"),
  "400": json(ref("BadRequest"), "not JSON, too deep, unstorable characters, or an invalid envelope or `data`; `issues` lists every problem"),
  "401": failure("signature headers missing, timestamp off by more than 300 s, or no signature matches"),
  "404": failure("unknown or disabled source"),
  "413": failure("body over 256 KiB"),
  "415": failure("Content-Type missing or not application/json"),
  "429": failure("over the source's rate limit, or too many refused requests from this address", retryAfter),
  "503": failure("database unreachable or over intake capacity; nothing stored, deliver again", retryAfter),
  ...common,
};

function webhookOp(kinds: SourceKind[], summary: string, extraParams: Json[] = []) {
  const schema = kinds.length === 1 ? ref(eventId(kinds[0]!)) : { oneOf: kinds.map((k) => ref(eventId(k))) };
  return {
    post: {
      operationId: kinds.length === 1 ? `deliver_${kinds[0]}` : "deliver",
      summary,
      tags: ["webhooks"],
      security: [],
      parameters: [...extraParams, ...webhookHeaders],
      requestBody: { required: true, description: "at most 256 KiB of JSON, signed byte for byte as sent", content: { "application/json": { schema } } },
      responses: webhookResponses,
    },
  };
}

/** Builds the document (pure: the same every call). */
export function buildOpenApiDocument() {
  const caseParam = pathParam("caseId", "the case id, percent-encoded");
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: {
      title: "Escalation record service",
      version: "1",
      description: "Signed webhooks in, escalation records, versions, exceptions and a change feed out. The prose contract is docs/api.md.",
    },
    servers: [{ url: "/" }],
    tags: [{ name: "webhooks" }, { name: "read API" }, { name: "operations" }],
    webhooks: Object.fromEntries(SOURCE_KINDS.map((k) => [k, webhookOp([k], `a ${k} source posts \`${eventContract[k].type}\` to POST /api/webhooks/{source}`)])),
    paths: {
      "/api/webhooks/{source}": webhookOp([...SOURCE_KINDS], "deliver one event of the source's kind", [
        pathParam("source", "a built-in source or one an admin onboarded (its kind decides the body)", { type: "string", pattern: "^[a-z][a-z0-9]*(-[a-z0-9]+)*$", minLength: 2, maxLength: 60 }),
      ]),
      "/api/v1/events/{source}/{webhookId}": readOp("getEventStatus", "the status of one accepted delivery", "EventStatus", [pathParam("source", "the source name"), pathParam("webhookId", "the delivery's webhook-id")], "no delivery with that webhook-id was accepted from that source"),
      "/api/v1/cases/{caseId}/record": readOp("getCurrentRecord", "the case's current version", "CurrentRecord", [caseParam], "the case has no current version"),
      "/api/v1/cases/{caseId}/versions": readOp("listVersions", "every version of the case, newest first", "VersionList", [caseParam], "the case has no version"),
      "/api/v1/cases/{caseId}/versions/{n}": readOp("getVersion", "one version with record, lineage and delta", "Version", [caseParam, pathParam("n", "the version number", { type: "string", pattern: "^[1-9]\\d{0,8}$" })], "the case has no version n"),
      "/api/v1/exceptions": readOp("listExceptions", "exceptions, newest opened first", "ExceptionList", [
        queryParam("status", "an empty value counts as absent", { type: "string", enum: [...EXCEPTION_STATUSES] }),
        queryParam("rule", "an empty value counts as absent", { type: "string", enum: [...RULES] }),
        queryParam("caseId", "an empty value counts as absent", { type: "string", maxLength: 200 }),
        queryParam("limit", "at most this many", { type: "integer", minimum: 1, maximum: 1000, default: 500 }),
      ]),
      "/api/v1/changes": readOp("readChanges", "every change of a case's current version, in one total order", "ChangesPage", [
        queryParam("after", "a cursor this feed returned (`next` or a change's `cursor`); omitted or empty: the beginning", { type: "string" }),
        queryParam("limit", "at most this many changes", { type: "integer", minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT }),
        queryParam("wait", "seconds an empty answer may wait for a change", { type: "number", minimum: 0, maximum: MAX_WAIT_SECONDS, default: 0 }),
      ]),
      "/api/health": {
        get: {
          operationId: "getHealth",
          summary: "database, migrations and worker; details only with a bearer token",
          tags: ["operations"],
          security: [{}, { bearer: [] }],
          responses: {
            "200": json(ref("Health"), "healthy"),
            "401": failure("a wrong bearer token"),
            "503": json(ref("Health"), "degraded"),
            ...common,
          },
        },
      },
      "/api/metrics": {
        get: {
          operationId: "getMetrics",
          summary: "Prometheus text format",
          tags: ["operations"],
          security: [{ bearer: [] }],
          responses: {
            "200": { description: "metrics", content: { "text/plain": { schema: { type: "string" } } } },
            "401": failure("missing or wrong bearer token"),
            "503": failure("the database is unavailable", retryAfter),
            ...common,
          },
        },
      },
      "/api/openapi.json": {
        get: {
          operationId: "getOpenApiDocument",
          summary: "this document",
          tags: ["operations"],
          security: [],
          responses: { "200": json({ type: "object" }, "the OpenAPI 3.1 document"), ...common },
        },
      },
    },
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "API_TOKEN or a token an admin created (Admin → API tokens)" },
      },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;

let built: string | undefined;
/** The document as JSON, built once per process. */
export function openApiJson(): string {
  return (built ??= JSON.stringify(buildOpenApiDocument()));
}
