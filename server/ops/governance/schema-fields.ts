import { z } from "zod";
import { safeInt } from "../../lib/safe-text";
import { assertRole } from "../../auth/authorize";
import type { Db, Tx } from "../../db/client";
import type { Prisma } from "../../db/generated/client";
import type { SourceKind } from "../../intake/event-schemas";
import { audit, type Actor } from "../../lib/audit";
import { AppError } from "../../lib/errors";
import type { SchemaField } from "../../reference/defaults";
import {
  convertValue,
  fieldDefinition,
  isAddedField,
  pointerTokens,
  SECTIONS_OF_KIND,
  sectionOf,
  toSchemaField,
  type AddedField,
  type FieldDefinition,
} from "../../reference/schema-fields";
import type { Json } from "../../refresh/types";

/**
 * The admin side of fields a schema version adds: define one on a draft, remove it, and preview it
 * against the stored current events before publishing. Every refusal is a 400 naming what is wrong.
 */
export const defineFieldInput = z.object({ version: safeInt(1), field: z.unknown() });
export const removeFieldInput = z.object({ version: safeInt(1), name: z.string().trim().min(1).max(100) });
export const previewFieldInput = z.object({ field: z.unknown() });

const fieldsOf = (v: { fields: unknown }) => (Array.isArray(v.fields) ? (v.fields as SchemaField[]) : []);

/** Sources that can feed a field: one entity per case (a ticket, an account, an environment), with the sections each may add to. */
export async function fieldSources(db: Db | Tx): Promise<{ name: string; kind: SourceKind; builtIn: boolean; sections: string[] }[]> {
  const rows = await db.source.findMany({ orderBy: [{ builtIn: "desc" }, { name: "asc" }], select: { name: true, kind: true, builtIn: true } });
  return rows.filter((s) => SECTIONS_OF_KIND[s.kind]).map((s) => ({ ...s, sections: [...SECTIONS_OF_KIND[s.kind]!] }));
}

/** The definition checked in full: shape and names (zod), then the source against the database. */
export async function checkDefinition(db: Db | Tx, raw: unknown): Promise<AddedField> {
  const parsed = fieldDefinition.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message));
    throw new AppError("BAD_REQUEST", `The field definition is invalid: ${problems.join("; ")}`, { issues: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) });
  }
  const d: FieldDefinition = parsed.data;
  const source = await db.source.findUnique({ where: { name: d.source }, select: { name: true, kind: true } });
  if (!source) throw new AppError("BAD_REQUEST", `source: there is no source named "${d.source}"`);
  const sections = SECTIONS_OF_KIND[source.kind];
  if (!sections) {
    throw new AppError(
      "BAD_REQUEST",
      `source: ${source.name} is a ${source.kind} source; a case has several of its ${source.kind === "incident" ? "incidents" : "bundles"}, so it cannot feed a single field (use a ticketing, entitlement or environment source)`,
    );
  }
  if (!sections.includes(sectionOf({ path: d.name }))) {
    throw new AppError("BAD_REQUEST", `name: ${source.name} feeds ${sections.join(" and ")}; a field from it goes there, e.g. ${sections[0]}.${d.name.split(".")[1]}`);
  }
  return toSchemaField(d);
}

async function draftRow(tx: Tx, version: number) {
  const row = await tx.escalationSchemaVersion.findUnique({ where: { version }, select: { status: true, fields: true } });
  if (!row) throw new AppError("NOT_FOUND", `no schema version ${version}`);
  if (row.status !== "draft") throw new AppError("CONFLICT", `version ${version} is ${row.status}; only a draft can change`);
  return row;
}

/** Adds a field to a draft, or replaces the draft's definition of the same name (type, source, path, required). */
export async function defineField(db: Db, actor: Actor, raw: z.input<typeof defineFieldInput>): Promise<{ version: number; field: AddedField; replaced: boolean }> {
  assertRole(actor, "admin");
  const input = defineFieldInput.parse(raw);
  return db.$transaction(async (tx) => {
    const row = await draftRow(tx, input.version);
    const field = await checkDefinition(tx, input.field);
    const fields = fieldsOf(row);
    const clash = fields.find((f) => isAddedField(f) && f.path !== field.path && f.path.toLowerCase() === field.path.toLowerCase());
    if (clash) throw new AppError("BAD_REQUEST", `name: ${field.path} differs from the added field ${clash.path} only in letter case`);
    const before = fields.find((f) => isAddedField(f) && f.path === field.path) ?? null;
    const next = before ? fields.map((f) => (f === before ? field : f)) : [...fields, field];
    await tx.escalationSchemaVersion.update({ where: { version: input.version }, data: { fields: next as unknown as Prisma.InputJsonValue } });
    await audit(tx, actor, {
      action: "schema.field_define",
      targetType: "schema_version",
      targetId: String(input.version),
      before: before as unknown as Prisma.InputJsonValue,
      after: field as unknown as Prisma.InputJsonValue,
    });
    return { version: input.version, field, replaced: !!before };
  });
}

/** Removes an added field from a draft (built-in fields cannot be removed, only made optional). */
export async function removeField(db: Db, actor: Actor, raw: z.input<typeof removeFieldInput>): Promise<{ version: number; removed: string }> {
  assertRole(actor, "admin");
  const input = removeFieldInput.parse(raw);
  return db.$transaction(async (tx) => {
    const row = await draftRow(tx, input.version);
    const fields = fieldsOf(row);
    const gone = fields.find((f) => isAddedField(f) && f.path === input.name);
    if (!gone) throw new AppError("BAD_REQUEST", `name: draft version ${input.version} adds no field ${input.name}`);
    await tx.escalationSchemaVersion.update({ where: { version: input.version }, data: { fields: fields.filter((f) => f !== gone) as unknown as Prisma.InputJsonValue } });
    await audit(tx, actor, { action: "schema.field_remove", targetType: "schema_version", targetId: String(input.version), before: gone as unknown as Prisma.InputJsonValue });
    return { version: input.version, removed: input.name };
  });
}

export interface FieldPreview {
  field: AddedField;
  currentRecords: number;
  /** Current records the field would be filled in. */
  filled: number;
  samples: { caseId: string; value: Json }[];
  /** Current records whose source provides no value: held with SCHEMA_INVALID if the field is required. */
  lacking: number;
  lackingCases: { caseId: string; why: string }[];
  /** Current records whose source value does not fit the type: held with SCHEMA_INVALID either way. */
  invalid: number;
  invalidCases: { caseId: string; reason: string }[];
}

/** Lineage entries that name the entity a section is built from, in order of preference (one may be overridden). */
const ANCHORS: Record<string, string[]> = {
  case: ["/case/id", "/case/subject", "/case/accountId", "/reproduction/status"],
  reproduction: ["/case/id", "/case/subject", "/case/accountId", "/reproduction/status"],
  entitlement: ["/entitlement/accountId", "/entitlement/contractId", "/entitlement/status"],
  environment: ["/environment/id", "/environment/os", "/environment/region"],
};

interface PreviewRow {
  caseId: string;
  source: string | null;
  entityId: string | null;
  found: boolean;
  /** JSON text: jsonb scalars come back from the drivers in different forms, text is the same everywhere. */
  valueText: string | null;
}

const LIST = 20;

/**
 * What publishing the field would do to the current records, from the stored events: for each
 * current record, the entity its section is built from (named by the record's lineage), that
 * entity's newest accepted event (what the refresh reads), and the value at the pointer, converted
 * exactly as the refresh converts it. One statement over the current records.
 */
export async function previewField(db: Db, actor: Actor, raw: z.input<typeof previewFieldInput>): Promise<FieldPreview> {
  assertRole(actor, "admin");
  const field = await checkDefinition(db, previewFieldInput.parse(raw).field);
  return previewDefinition(db, field);
}

export async function previewDefinition(db: Db | Tx, field: AddedField): Promise<FieldPreview> {
  const p = pointerTokens(field.pointer);
  const tokens = "tokens" in p ? p.tokens : [];
  const rows = await db.$queryRawUnsafe<PreviewRow[]>(
    `WITH cur AS (
       SELECT v."caseId",
         (SELECT v."lineage" -> a.p FROM unnest($1::text[]) WITH ORDINALITY AS a(p, n)
          WHERE v."lineage" -> a.p IS NOT NULL AND v."lineage" -> a.p ->> 'source' <> 'manual_override' ORDER BY a.n LIMIT 1) AS lin
       FROM "RecordVersion" v WHERE v."isCurrent")
     SELECT c."caseId", c.lin ->> 'source' AS "source", c.lin ->> 'entityId' AS "entityId", e."id" IS NOT NULL AS "found",
       (e."data" #> $3::text[])::text AS "valueText"
     FROM cur c
     LEFT JOIN "Source" s ON s."name" = $2 AND c.lin ->> 'source' = $2
     LEFT JOIN "SourceEntity" se ON se."sourceId" = s."id" AND se."entityId" = c.lin ->> 'entityId'
     LEFT JOIN "WebhookEvent" e ON e."id" = se."currentEventId"
     ORDER BY c."caseId"`,
    ANCHORS[sectionOf(field)] ?? [],
    field.source,
    tokens,
  );
  const out: FieldPreview = { field, currentRecords: rows.length, filled: 0, samples: [], lacking: 0, lackingCases: [], invalid: 0, invalidCases: [] };
  const section = sectionOf(field);
  for (const r of rows) {
    const lack = (why: string) => {
      out.lacking++;
      if (out.lackingCases.length < LIST) out.lackingCases.push({ caseId: r.caseId, why });
    };
    if (!r.source) {
      lack(`the record has no ${section} section`);
      continue;
    }
    if (r.source !== field.source) {
      lack(`its ${section} comes from ${r.source}, not ${field.source}`);
      continue;
    }
    if (!r.found) {
      lack(`no accepted event of ${r.entityId}`);
      continue;
    }
    const got = convertValue(field, r.valueText === null ? undefined : JSON.parse(r.valueText));
    if (!got) lack(`nothing at ${field.pointer} in ${r.entityId}`);
    else if (!got.ok) {
      out.invalid++;
      if (out.invalidCases.length < LIST) out.invalidCases.push({ caseId: r.caseId, reason: got.reason });
    } else {
      out.filled++;
      if (out.samples.length < 5) out.samples.push({ caseId: r.caseId, value: got.value });
    }
  }
  return out;
}
