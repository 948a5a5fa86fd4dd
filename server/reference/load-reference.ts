import type { Db, Tx } from "../db/client";
import type { ReferenceData } from "../refresh/types";

/** Product taxonomy, tier registry (with aliases) and the active escalation schema. */
export async function loadReference(db: Db | Tx): Promise<ReferenceData> {
  const [products, productAliases, tiers, tierAliases, schema] = await Promise.all([
    db.product.findMany({ select: { code: true, name: true } }),
    db.productAlias.findMany({ select: { alias: true, productCode: true } }),
    db.serviceTier.findMany({ select: { code: true, name: true, slaMinutes: true } }),
    db.tierAlias.findMany({ select: { alias: true, tierCode: true } }),
    db.escalationSchemaVersion.findFirst({ where: { status: "published" }, orderBy: { version: "desc" }, select: { version: true, fields: true } }),
  ]);
  const productByCode = new Map(products.map((p) => [p.code, p]));
  const tierByCode = new Map(tiers.map((t) => [t.code, t]));
  const ref: ReferenceData = {
    products: new Map(),
    tiers: new Map(),
    schema: schema
      ? { version: schema.version, fields: schema.fields as unknown as ReferenceData["schema"]["fields"] }
      : { version: 0, fields: [] },
  };
  for (const p of products) ref.products.set(p.code.toLowerCase(), p);
  for (const a of productAliases) {
    const p = productByCode.get(a.productCode);
    if (p) ref.products.set(a.alias, p);
  }
  for (const t of tiers) ref.tiers.set(t.code.toLowerCase(), t);
  for (const a of tierAliases) {
    const t = tierByCode.get(a.tierCode);
    if (t) ref.tiers.set(a.alias, t);
  }
  return ref;
}

export interface PolicyData {
  defaults: Map<string, "auto" | "review">;
  explicit: Map<string, "auto" | "review">;
}

export async function loadPolicies(db: Db | Tx): Promise<PolicyData> {
  const [sources, rows] = await Promise.all([
    db.source.findMany({ select: { id: true, name: true, defaultPolicy: true } }),
    db.fieldPolicy.findMany({ select: { sourceId: true, field: true, mode: true } }),
  ]);
  const nameOf = new Map(sources.map((s) => [s.id, s.name]));
  return {
    defaults: new Map(sources.map((s) => [s.name, s.defaultPolicy])),
    explicit: new Map(rows.map((r) => [`${nameOf.get(r.sourceId)}|${r.field}`, r.mode])),
  };
}

export function policyLookup(p: PolicyData) {
  return (sourceName: string, field: string): "auto" | "review" =>
    p.explicit.get(`${sourceName}|${field}`) ?? p.defaults.get(sourceName) ?? "auto";
}

const TTL_MS = 1_000;

/** Reference data changes rarely; refreshes read it from here, invalidated by admin edits in-process. */
export class ReferenceCache {
  private cached: { at: number; ref: ReferenceData; policies: PolicyData } | null = null;
  constructor(private readonly db: Db) {}
  invalidate() {
    this.cached = null;
  }
  async get(): Promise<{ ref: ReferenceData; policies: PolicyData }> {
    if (!this.cached || Date.now() - this.cached.at > TTL_MS) {
      const [ref, policies] = await Promise.all([loadReference(this.db), loadPolicies(this.db)]);
      this.cached = { at: Date.now(), ref, policies };
    }
    return this.cached;
  }
}
