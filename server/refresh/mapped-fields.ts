import { capitalise, fieldPhrase } from "../../shared/format";
import type { SchemaField } from "../reference/defaults";
import { isAddedField, readMappedValue, sectionOf } from "../reference/schema-fields";
import { pointer } from "../../shared/pointer";
import type { Candidate, EntityState, Json, Lineage } from "./types";

/** The entity each section of the record is built from (null: the case has none). */
export type SectionEntities = Record<"case" | "reproduction" | "entitlement" | "environment", EntityState<unknown> | null>;

/**
 * Fills the fields the active schema version added (reference/schema-fields.ts) from the state the
 * record is already built from: a field of `case` from the case's ticket, of `entitlement` from its
 * account's entitlement, and so on, when that entity came from the field's source. Each value has
 * the entity's lineage; a value that does not fit the field's type stays out of the record and is a
 * problem (SCHEMA_INVALID: "a value cannot be normalised"). A missing value is simply absent: the
 * schema's required check decides whether that holds the case.
 */
export function applyMappedFields(
  fields: readonly SchemaField[],
  entities: SectionEntities,
  lineageOf: (s: EntityState<unknown>) => Lineage,
  into: Pick<Candidate, "record" | "lineage" | "problems">,
): void {
  for (const f of fields) {
    if (!isAddedField(f)) continue;
    const section = sectionOf(f) as keyof SectionEntities;
    const entity = entities[section];
    const target = into.record[section];
    if (!entity || entity.sourceName !== f.source || !target || typeof target !== "object" || Array.isArray(target)) continue;
    const name = f.path.slice(section.length + 1);
    // Definitions are checked when saved; this guards a stored one against ever replacing a built-in value.
    if (Object.hasOwn(target, name)) continue;
    const got = readMappedValue(f, entity.data);
    if (!got) continue;
    const lin = lineageOf(entity);
    if (!got.ok) {
      into.problems.push({ field: f.path, message: `${capitalise(fieldPhrase(f.path))} from ${f.source}: ${got.reason}`, lineage: lin });
      continue;
    }
    (target as { [k: string]: Json })[name] = got.value;
    into.lineage[pointer(section, name)] = lin;
  }
}
