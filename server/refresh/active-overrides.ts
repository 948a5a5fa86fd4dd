import type { Tx } from "../db/client";
import { audit, SYSTEM_ACTOR } from "../lib/audit";
import { buildCandidate } from "./build-candidate";
import { overrideBasisPath } from "./override-fields";
import { describePath } from "../../shared/format";
import { canonical, getAt } from "../../shared/pointer";
import { readOverrideDetails } from "./sql/override-details";
import { fromJson } from "./sql/statement";
import type { CaseInputs, OverrideSpec, ReferenceData } from "./types";

/** An active FieldOverride row as the case context loads it. */
export interface OverrideRow {
  id: string;
  path: string;
  value: unknown;
  basisEntityId: string | null;
  basisVersion: number | null;
  exceptionId: string;
  createdAt: string;
}

export interface OverrideContext {
  overrides: OverrideRow[];
  approvals: { rule: string; fingerprint: string; exceptionId: string }[];
}

const show = (v: unknown) => (v === undefined ? "nothing" : JSON.stringify(v));

/**
 * The overrides a refresh applies (docs/domain.md: "An override holds while the overridden field's own
 * source value stays what it was when the override was made"). The sources' record is built without
 * overrides and, for each override, the value at its basis path (override-fields.ts) is compared with
 * the one stored when it was made: equal, it holds, whatever else the sources changed; different, it
 * lapses. A lapse deactivates the override, withdraws the acceptance of the conflicts it settled (so
 * the rules judge the new value), is audited, and is returned marked `lapsed` so the version's
 * lineage and summary say so. Overrides made before the source value was stored lapse, as they did,
 * when the overridden entity sends a newer version.
 */
export async function activeOverrides(tx: Tx, caseId: string, inputs: CaseInputs, context: OverrideContext, ref: ReferenceData): Promise<OverrideSpec[]> {
  const rows = context.overrides;
  if (!rows.length) return [];
  const extra = await readOverrideDetails(tx, [rows.map((o) => o.id)]);
  const extraOf = new Map(extra.map((e) => [e.id, e]));
  const sources = buildCandidate(inputs, ref, []);
  const versionOfRow = new Map<string, number>();
  for (const s of [...inputs.tickets, ...inputs.bundles, ...inputs.incidents, inputs.entitlement, inputs.environment]) {
    if (s) versionOfRow.set(s.rowId, s.version);
  }
  const out: OverrideSpec[] = [];
  for (const o of rows) {
    const e = extraOf.get(o.id);
    const stored = e?.sourceValue ? fromJson(e.sourceValue) : null;
    const spec: OverrideSpec = { id: o.id, path: o.path, value: o.value, exceptionId: o.exceptionId, createdAt: new Date(o.createdAt).toISOString(), by: e?.by ?? "a specialist", note: e?.note ?? "" };
    let lapse: { note: string; after: Record<string, unknown> } | null = null;
    if (stored) {
      const basis = overrideBasisPath(o.path);
      const now = sources ? getAt(sources.record, basis) : undefined;
      if (canonical(now) !== canonical(stored.value)) {
        lapse = {
          // Words for people (the audit log shows this note); the paths stay in `after`.
          note: `The source value of ${describePath(basis, sources?.record)} changed from ${show(stored.value)} to ${show(now)}; the override of ${describePath(o.path, sources?.record)} lapsed and the rules judge the new value.`,
          after: { path: o.path, sourceValue: now ?? null, lineage: sources?.lineage[basis] ?? null },
        };
      }
    } else {
      const now = o.basisEntityId ? versionOfRow.get(o.basisEntityId) : undefined;
      if (o.basisVersion !== null && now !== undefined && now > o.basisVersion) {
        lapse = { note: `The source sent version ${now}, newer than the overridden version ${o.basisVersion}.`, after: { path: o.path, sourceVersion: now } };
      }
    }
    if (!lapse) {
      out.push(spec);
      continue;
    }
    await tx.fieldOverride.update({ where: { id: o.id }, data: { active: false } });
    await tx.approvedConflict.deleteMany({ where: { caseId, exceptionId: o.exceptionId } });
    context.approvals = context.approvals.filter((a) => a.exceptionId !== o.exceptionId);
    await audit(tx, SYSTEM_ACTOR, {
      action: "record.override_lapsed",
      targetType: "case",
      targetId: caseId,
      before: { path: o.path, value: o.value, sourceValue: stored?.value ?? null, basisVersion: o.basisVersion },
      after: lapse.after,
      note: lapse.note,
    });
    out.push({ ...spec, lapsed: true });
  }
  return out;
}
