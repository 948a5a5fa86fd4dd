import { z } from "zod";
import { safeInt } from "../../lib/safe-text";
import { assertRole } from "../../auth/authorize";
import type { Db } from "../../db/client";
import type { Prisma } from "../../db/generated/client";
import { audit, type Actor } from "../../lib/audit";
import { AppError } from "../../lib/errors";
import { RECORD_FIELDS, SCHEMA_V1, type SchemaField } from "../../reference/defaults";
import type { ReferenceCache } from "../../reference/load-reference";
import { isAddedField, type AddedField } from "../../reference/schema-fields";
import { canonical } from "../../../shared/pointer";
import { wakeJobRunner } from "../jobs/job-runner";
import { enqueueJob } from "../jobs/jobs";
import { fieldSources, previewDefinition, type FieldPreview } from "./schema-fields";

const note = z.string().trim().min(3, "say why, in a few words (at least 3 characters)").max(1000);

export const saveDraftInput = z.object({
  version: safeInt(1),
  required: z.array(z.enum(RECORD_FIELDS)).max(RECORD_FIELDS.length),
  note: z.string().trim().max(1000).optional(),
});
export const publishInput = z.object({ version: safeInt(1), note });
export const discardInput = z.object({ version: safeInt(1) });

export interface SchemaContext {
  db: Db;
  reference: Pick<ReferenceCache, "invalidate">;
}

const fieldsOf = (v: { fields: unknown }) => (Array.isArray(v.fields) ? (v.fields as SchemaField[]) : []);
const requiredOf = (fields: SchemaField[]) => fields.filter((f) => f.required).map((f) => f.path);
const addedOf = (fields: SchemaField[]) => fields.filter(isAddedField);
const builtInRequiredOf = (fields: SchemaField[]) => fields.filter((f) => f.required && !isAddedField(f)).map((f) => f.path);

async function activeSchema(db: Db) {
  return db.escalationSchemaVersion.findFirst({ where: { status: "published" }, orderBy: { version: "desc" }, select: { version: true, fields: true } });
}

/** Every version, newest first; the active one is the newest published (the engine validates against it). */
export async function listSchemaVersions(db: Db, actor: Actor) {
  assertRole(actor, "admin");
  const rows = await db.escalationSchemaVersion.findMany({ orderBy: { version: "desc" } });
  const userIds = [...new Set(rows.flatMap((r) => [r.createdById, r.publishedById]).filter((v): v is string => !!v))];
  const users = userIds.length ? await db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, name: true } }) : [];
  const nameOf = new Map(users.map((u) => [u.id, u.name]));
  const active = rows.find((r) => r.status === "published")?.version ?? null;
  return {
    active,
    recordFields: [...RECORD_FIELDS],
    /** Sources a field can be added from, with the sections each feeds. */
    fieldSources: await fieldSources(db),
    versions: rows.map((r) => ({
      version: r.version,
      status: r.status,
      active: r.version === active,
      required: requiredOf(fieldsOf(r)),
      added: addedOf(fieldsOf(r)),
      fieldCount: fieldsOf(r).length,
      note: r.note,
      createdBy: r.createdById ? (nameOf.get(r.createdById) ?? "unknown user") : "system",
      publishedBy: r.publishedById ? (nameOf.get(r.publishedById) ?? "unknown user") : r.publishedAt ? "system" : null,
      createdAt: r.createdAt,
      publishedAt: r.publishedAt,
    })),
  };
}

/** A new draft, starting from the active version's fields. One draft at a time keeps reviews unambiguous. */
export async function createDraft(db: Db, actor: Actor): Promise<{ version: number }> {
  assertRole(actor, "admin");
  return db.$transaction(async (tx) => {
    const draft = await tx.escalationSchemaVersion.findFirst({ where: { status: "draft" }, select: { version: true } });
    if (draft) throw new AppError("CONFLICT", `draft version ${draft.version} is open already; edit, publish or discard it`);
    const [last, active] = await Promise.all([
      tx.escalationSchemaVersion.findFirst({ orderBy: { version: "desc" }, select: { version: true } }),
      tx.escalationSchemaVersion.findFirst({ where: { status: "published" }, orderBy: { version: "desc" }, select: { version: true, fields: true } }),
    ]);
    const version = (last?.version ?? 0) + 1;
    const fields = active ? fieldsOf(active) : SCHEMA_V1;
    await tx.escalationSchemaVersion.create({ data: { version, status: "draft", fields: fields as unknown as Prisma.InputJsonValue, createdById: actor.id } });
    await audit(tx, actor, { action: "schema.draft", targetType: "schema_version", targetId: String(version), after: { version, basedOn: active?.version ?? null, required: requiredOf(fields) } });
    return { version };
  });
}

export async function saveDraft(db: Db, actor: Actor, raw: z.input<typeof saveDraftInput>): Promise<{ version: number; required: string[] }> {
  assertRole(actor, "admin");
  const input = saveDraftInput.parse(raw);
  const required = new Set(input.required);
  return db.$transaction(async (tx) => {
    const row = await tx.escalationSchemaVersion.findUnique({ where: { version: input.version }, select: { status: true, fields: true } });
    if (!row) throw new AppError("NOT_FOUND", `no schema version ${input.version}`);
    if (row.status !== "draft") throw new AppError("CONFLICT", `version ${input.version} is ${row.status}; only a draft can change`);
    // The built-in fields' flags come from the input; added fields keep their own definitions (defineField changes them).
    const fields: SchemaField[] = [...RECORD_FIELDS.map((path) => ({ path, required: required.has(path) })), ...addedOf(fieldsOf(row))];
    await tx.escalationSchemaVersion.update({ where: { version: input.version }, data: { fields: fields as unknown as Prisma.InputJsonValue, note: input.note ?? undefined } });
    await audit(tx, actor, {
      action: "schema.draft_save",
      targetType: "schema_version",
      targetId: String(input.version),
      before: { required: requiredOf(fieldsOf(row)) },
      after: { required: requiredOf(fields) },
      note: input.note ?? null,
    });
    return { version: input.version, required: requiredOf(fields) };
  });
}

export async function discardDraft(db: Db, actor: Actor, raw: z.input<typeof discardInput>): Promise<void> {
  assertRole(actor, "admin");
  const input = discardInput.parse(raw);
  await db.$transaction(async (tx) => {
    const row = await tx.escalationSchemaVersion.findUnique({ where: { version: input.version }, select: { status: true, fields: true } });
    if (!row) throw new AppError("NOT_FOUND", `no schema version ${input.version}`);
    if (row.status !== "draft") throw new AppError("CONFLICT", `version ${input.version} is ${row.status}; only a draft can be discarded`);
    await tx.escalationSchemaVersion.delete({ where: { version: input.version } });
    await audit(tx, actor, { action: "schema.draft_discard", targetType: "schema_version", targetId: String(input.version), before: { required: requiredOf(fieldsOf(row)) } });
  });
}

export interface SchemaDiff {
  version: number;
  against: number | null;
  /** Built-in fields required in this version, not in the active one: records missing them will open SCHEMA_INVALID. */
  newlyRequired: { path: string; missingIn: number }[];
  noLongerRequired: string[];
  unchangedRequired: string[];
  currentRecords: number;
  /** Fields this version adds, or defines differently from the active one, each with its preview against the current records. */
  addedFields: (FieldPreview & { change: "added" | "changed"; was: AddedField | null })[];
  /** Fields the active version added that this one drops: records lose them. */
  removedFields: AddedField[];
}

/** The review of a draft: what it requires beyond the active version and how many current records lack it (SQL). */
export async function diffSchema(db: Db, actor: Actor, version: number): Promise<SchemaDiff> {
  assertRole(actor, "admin");
  const [row, active] = await Promise.all([db.escalationSchemaVersion.findUnique({ where: { version }, select: { fields: true } }), activeSchema(db)]);
  if (!row) throw new AppError("NOT_FOUND", `no schema version ${version}`);
  const mine = new Set(builtInRequiredOf(fieldsOf(row)));
  const theirs = new Set(active ? builtInRequiredOf(fieldsOf(active)) : []);
  const added = [...mine].filter((p) => !theirs.has(p)).sort();
  const [total, missing] = await Promise.all([
    db.recordVersion.count({ where: { isCurrent: true } }),
    db.$queryRawUnsafe<{ path: string; missing: number }[]>(
      `SELECT p."path", count(*) FILTER (WHERE v."record" #> string_to_array(p."path", '.') IS NULL
           OR v."record" #> string_to_array(p."path", '.') IN ('null'::jsonb, '""'::jsonb, '[]'::jsonb))::int AS "missing"
       FROM unnest($1::text[]) AS p("path") CROSS JOIN "RecordVersion" v
       WHERE v."isCurrent" GROUP BY p."path"`,
      added,
    ),
  ]);
  const missingOf = new Map(missing.map((m) => [m.path, Number(m.missing)]));
  const activeAdded = new Map(addedOf(active ? fieldsOf(active) : []).map((f) => [f.path, f]));
  const draftAdded = addedOf(fieldsOf(row));
  const addedFields: SchemaDiff["addedFields"] = [];
  for (const f of draftAdded) {
    const was = activeAdded.get(f.path) ?? null;
    if (was && canonical(was) === canonical(f)) continue;
    addedFields.push({ ...(await previewDefinition(db, f)), change: was ? "changed" : "added", was });
  }
  const kept = new Set(draftAdded.map((f) => f.path));
  return {
    version,
    against: active?.version ?? null,
    newlyRequired: added.map((path) => ({ path, missingIn: missingOf.get(path) ?? 0 })),
    noLongerRequired: [...theirs].filter((p) => !mine.has(p)).sort(),
    unchangedRequired: [...mine].filter((p) => theirs.has(p)).sort(),
    currentRecords: total,
    addedFields,
    removedFields: [...activeAdded.values()].filter((f) => !kept.has(f.path)),
  };
}

/**
 * Publishes a draft: it becomes the active schema (older published versions retire) and a job
 * re-materialises every record against it; records that miss a newly required field open
 * SCHEMA_INVALID (the refresh engine decides that, from the active schema).
 */
export async function publishSchema(ctx: SchemaContext, actor: Actor, raw: z.input<typeof publishInput>): Promise<{ version: number; jobId: string }> {
  assertRole(actor, "admin");
  const input = publishInput.parse(raw);
  const out = await ctx.db.$transaction(async (tx) => {
    // Two admins publishing at once must not both retire each other's version.
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtextextended('schema-publish', 0))`);
    const row = await tx.escalationSchemaVersion.findUnique({ where: { version: input.version }, select: { status: true, fields: true } });
    if (!row) throw new AppError("NOT_FOUND", `no schema version ${input.version}`);
    if (row.status !== "draft") throw new AppError("CONFLICT", `version ${input.version} is ${row.status}; only a draft can be published`);
    const previous = await tx.escalationSchemaVersion.findFirst({ where: { status: "published" }, orderBy: { version: "desc" }, select: { version: true, fields: true } });
    await tx.escalationSchemaVersion.updateMany({ where: { status: "published" }, data: { status: "retired" } });
    await tx.escalationSchemaVersion.update({
      where: { version: input.version },
      data: { status: "published", publishedById: actor.id, publishedAt: new Date(), note: input.note },
    });
    const jobId = await enqueueJob(tx, actor, "schema_publish", { label: `Re-materialise every record against schema version ${input.version}`, version: input.version });
    await audit(tx, actor, {
      action: "schema.publish",
      targetType: "schema_version",
      targetId: String(input.version),
      before: previous ? { activeVersion: previous.version, required: requiredOf(fieldsOf(previous)), added: addedOf(fieldsOf(previous)) } as unknown as Prisma.InputJsonValue : null,
      after: { activeVersion: input.version, required: requiredOf(fieldsOf(row)), added: addedOf(fieldsOf(row)), jobId } as unknown as Prisma.InputJsonValue,
      note: input.note,
    });
    return { version: input.version, jobId };
  });
  ctx.reference.invalidate();
  wakeJobRunner();
  return out;
}
