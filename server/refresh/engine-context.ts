import type { Db } from "../db/client";
import type { SourceRegistry } from "../sources/registry";
import type { ReferenceCache } from "../reference/load-reference";
import type { SourceLookup } from "./load-case";

export interface EngineContext {
  db: Db;
  registry: SourceRegistry;
  reference: ReferenceCache;
}

export async function sourceLookup(ctx: EngineContext): Promise<SourceLookup> {
  const all = await ctx.registry.all();
  return { byId: new Map([...all.values()].map((s) => [s.id, { name: s.name, kind: s.kind }])) };
}
