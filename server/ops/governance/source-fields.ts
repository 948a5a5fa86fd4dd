import type { Db, Tx } from "../../db/client";
import type { SourceKind } from "../../intake/event-schemas";
import type { SchemaField } from "../../reference/defaults";
import { isAddedField, type AddedField } from "../../reference/schema-fields";
import { POLICY_FIELDS } from "./policy-fields";

/** Fields the active (newest published) schema version added. */
export async function activeAddedFields(db: Db | Tx): Promise<AddedField[]> {
  const row = await db.escalationSchemaVersion.findFirst({ where: { status: "published" }, orderBy: { version: "desc" }, select: { fields: true } });
  const fields = Array.isArray(row?.fields) ? (row.fields as unknown as SchemaField[]) : [];
  return fields.filter(isAddedField);
}

/**
 * The overwrite-policy fields of one source: what its kind writes (POLICY_FIELDS) plus the fields
 * the active schema maps from this source by name, so a policy can hold changes to them for review.
 */
export function policyFieldsOf(source: { name: string; kind: SourceKind }, added: readonly AddedField[]): string[] {
  return [...POLICY_FIELDS[source.kind], ...added.filter((f) => f.source === source.name).map((f) => f.path)];
}
