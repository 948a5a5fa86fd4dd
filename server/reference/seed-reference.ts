import type { Db } from "../db/client";
import { newId } from "../lib/ids";
import { normaliseAlias } from "./normalise";
import { BUILT_IN_SOURCES, DEFAULT_PRODUCTS, DEFAULT_TIERS, SCHEMA_V1 } from "./defaults";


/** Seeds docs/domain.md's defaults where they are missing; running it twice changes nothing. */
export async function seedReference(db: Db): Promise<void> {
  for (const t of DEFAULT_TIERS) {
    await db.serviceTier.upsert({ where: { code: t.code }, update: {}, create: { code: t.code, name: t.name, slaMinutes: t.slaMinutes } });
    for (const alias of [t.code, t.name, ...t.aliases]) {
      await db.tierAlias.upsert({
        where: { alias: normaliseAlias(alias) },
        update: {},
        create: { id: newId("tal"), alias: normaliseAlias(alias), tierCode: t.code },
      });
    }
  }
  for (const p of DEFAULT_PRODUCTS) {
    await db.product.upsert({ where: { code: p.code }, update: {}, create: { code: p.code, name: p.name } });
    for (const alias of [p.code, p.name, ...p.aliases]) {
      await db.productAlias.upsert({
        where: { alias: normaliseAlias(alias) },
        update: {},
        create: { id: newId("pal"), alias: normaliseAlias(alias), productCode: p.code },
      });
    }
  }
  const anySchema = await db.escalationSchemaVersion.findFirst({ select: { version: true } });
  if (!anySchema) {
    await db.escalationSchemaVersion.create({
      data: { version: 1, status: "published", fields: SCHEMA_V1 as object[], note: "Default schema", publishedAt: new Date() },
    });
  }
  for (const name of BUILT_IN_SOURCES) {
    await db.source.upsert({
      where: { name },
      update: {},
      create: { id: newId("src"), name, kind: name, builtIn: true, defaultPolicy: "auto" },
    });
  }
}
