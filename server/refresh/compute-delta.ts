import type { SourceKind } from "../intake/event-schemas";
import { canonical, escapeToken } from "../../shared/pointer";
import type { Cause, DeltaItem, Json, Lineage, LineageMap, RecordDoc } from "./types";

/** How list items are matched between versions, so an insertion is one change, not a shifted list. */
const LIST_KEYS: Record<string, (item: Json) => string> = {
  "/incidents": (i) => String((i as Record<string, Json>).id),
  "/artifacts": (i) => String((i as Record<string, Json>).bundleId),
  "/approvedLogs": (i) => `${(i as Record<string, Json>).bundleId}\u0000${(i as Record<string, Json>).name}`,
  "/notes": (i) => String((i as Record<string, Json>).id),
  "/environment/components": (i) => String((i as Record<string, Json>).name),
};

function listKeyFor(path: string): ((item: Json) => string) | null {
  const generic = path.replace(/\/\d+(?=\/|$)/g, "/*");
  if (LIST_KEYS[generic]) return LIST_KEYS[generic]!;
  if (generic === "/artifacts/*/logs") return (i) => String((i as Record<string, Json>).name);
  return null;
}

const isObject = (v: Json | undefined): v is { [k: string]: Json } => v !== null && typeof v === "object" && !Array.isArray(v);

export interface DeltaContext {
  sourceKinds: Map<string, SourceKind>;
}

function sameEntityVersion(a: Lineage | undefined, b: Lineage | undefined): boolean {
  return !!a && !!b && a.source === b.source && a.entityId === b.entityId && a.entityVersion === b.entityVersion && a.webhookId === b.webhookId;
}

export function causeOf(path: string, before: Lineage | undefined, after: Lineage | undefined, ctx: DeltaContext, unchangedSource = false): Cause {
  const lin = after ?? before!;
  if (lin.source === "manual_override") return "manual_override";
  // Same source version, different value: normalisation or the schema moved, not the source.
  if ((before && after && sameEntityVersion(before, after)) || unchangedSource) return "schema_change";
  switch (ctx.sourceKinds.get(lin.source)) {
    case "diagnostics":
      return "diagnostics";
    case "entitlement":
      return "entitlement_correction";
    case "incident":
      return "incident_change";
    case "environment":
      return "environment_refresh";
    default:
      return path.startsWith("/notes") ? "routine_carry_forward" : "ticket_update";
  }
}

/** Every changed path of `next` against `prev` (null: the first version), with cause and lineage. */
export function computeDelta(
  prev: { record: RecordDoc; lineage: LineageMap } | null,
  next: { record: RecordDoc; lineage: LineageMap },
  ctx: DeltaContext,
): DeltaItem[] {
  const out: DeltaItem[] = [];
  const prevLineage = prev?.lineage ?? {};
  const nearest = (map: LineageMap, path: string): Lineage | undefined => {
    for (let p = path; p; p = p.slice(0, p.lastIndexOf("/"))) if (map[p]) return map[p];
    return undefined;
  };
  const firstLeafLineage = (map: LineageMap, path: string): Lineage | undefined => {
    if (map[path]) return map[path];
    const key = Object.keys(map).find((k) => k.startsWith(path + "/"));
    return key ? map[key] : nearest(map, path);
  };
  const versionKey = (l: Lineage) => `${l.source}\u0000${l.entityId}\u0000${l.entityVersion}\u0000${l.webhookId}`;
  const prevVersions = new Set(Object.values(prevLineage).map(versionKey));
  const nextVersions = new Set(Object.values(next.lineage).map(versionKey));
  const emit = (path: string, before: Json | undefined, after: Json | undefined, beforePath = path) => {
    const b = before === undefined ? undefined : firstLeafLineage(prevLineage, beforePath);
    const a = after === undefined ? undefined : firstLeafLineage(next.lineage, path);
    const lineage = overrideEnded(b, a, before) ?? a ?? b;
    if (!lineage) return;
    // A field that appears (or disappears) while its source entity version was already (still) in the
    // record came from normalisation or the schema, e.g. a new alias making a product area known.
    // Approved logs are derived across bundles, so their membership always follows diagnostics.
    const unchangedSource =
      !!prev &&
      !path.startsWith("/approvedLogs") &&
      ((!b && !!a && prevVersions.has(versionKey(a))) || (!a && !!b && nextVersions.has(versionKey(b))));
    out.push({ path, before: before ?? null, after: after ?? null, cause: causeOf(path, b, a, ctx, unchangedSource), lineage });
  };
  const walk = (path: string, before: Json | undefined, after: Json | undefined, beforePath: string) => {
    if (before === undefined && after === undefined) return;
    if (isObject(before) && isObject(after)) {
      const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
      for (const k of keys) walk(`${path}/${escapeToken(k)}`, before[k], after[k], `${beforePath}/${escapeToken(k)}`);
      return;
    }
    if (Array.isArray(before) && Array.isArray(after)) {
      const key = listKeyFor(path);
      if (key) {
        const beforeIdx = new Map(before.map((item, i) => [key(item), i]));
        const afterKeys = new Set(after.map(key));
        after.forEach((item, i) => {
          const bi = beforeIdx.get(key(item));
          if (bi === undefined) emit(`${path}/${i}`, undefined, item);
          else walk(`${path}/${i}`, before[bi], item, `${beforePath}/${bi}`);
        });
        before.forEach((item, i) => {
          if (!afterKeys.has(key(item))) emit(`${beforePath}/${i}`, item, undefined, `${beforePath}/${i}`);
        });
        return;
      }
    }
    if (before !== undefined && after !== undefined && canonical(before) === canonical(after)) {
      // Same value; a leaf whose lineage moved to an equal value is not a change, except an override
      // made or ended: the field's authority changed, so the version says so (docs/domain.md: always visible).
      if (overrideChanged(prevLineage[beforePath], next.lineage[path])) emit(path, before, after, beforePath);
      return;
    }
    if (before === undefined || after === undefined || !isObject(before) || !isObject(after)) {
      if (isObject(before) && after === undefined) {
        for (const k of Object.keys(before).sort()) walk(`${path}/${escapeToken(k)}`, before[k], undefined, `${beforePath}/${escapeToken(k)}`);
        return;
      }
      if (isObject(after) && before === undefined) {
        for (const k of Object.keys(after).sort()) walk(`${path}/${escapeToken(k)}`, undefined, after[k], `${beforePath}/${escapeToken(k)}`);
        return;
      }
      emit(path, before, after, beforePath);
    }
  };
  const sections = [...new Set([...Object.keys(prev?.record ?? {}), ...Object.keys(next.record)])].sort();
  for (const s of sections) walk(`/${escapeToken(s)}`, prev?.record[s], next.record[s], `/${escapeToken(s)}`);
  return out;
}

const overrideId = (l: Lineage | undefined) => (l?.source === "manual_override" ? l.webhookId : null);

/** A leaf's lineage gained, lost or changed a manual override. */
function overrideChanged(before: Lineage | undefined, after: Lineage | undefined): boolean {
  return overrideId(before) !== overrideId(after);
}

/** A leaf that had a manual override and now has its source's value: the entry says the override lapsed (and whose it was). */
function overrideEnded(before: Lineage | undefined, after: Lineage | undefined, value: Json | undefined): Lineage | undefined {
  if (before?.source !== "manual_override" || !after || after.source === "manual_override" || after.overrideLapsed) return undefined;
  return { ...after, overrideLapsed: { exceptionId: before.entityId, by: before.override?.by ?? "a specialist", value: value ?? null } };
}

/** Both versions carry the same overrides on the same leaves: no override was made or ended between them. */
export function sameOverrides(a: LineageMap, b: LineageMap): boolean {
  const ids = (m: LineageMap) =>
    Object.entries(m)
      .filter(([, l]) => l.source === "manual_override")
      .map(([p, l]) => `${p}\u0000${l.webhookId}`)
      .sort()
      .join("\n");
  return ids(a) === ids(b);
}
