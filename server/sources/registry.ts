import type { Db } from "../db/client";
import { decrypt, encrypt, newWebhookSecret } from "../lib/crypto";
import { AppError } from "../lib/errors";
import { newId } from "../lib/ids";
import type { SourceKind } from "../intake/event-schemas";
import { isDatabaseUnavailable, isDatabaseUnreachable } from "../lib/db-errors";

export interface SourceInfo {
  id: string;
  name: string;
  kind: SourceKind;
  enabled: boolean;
  builtIn: boolean;
  defaultPolicy: "auto" | "review";
  rateLimitPerSec: number;
  rateLimitBurst: number;
  secrets: string[];
  secretsFrom: "env" | "database" | "none";
}

export interface SecretContext {
  /** Key for secrets stored in the database; null when none is configured (PostgreSQL without APP_SECRET_KEY). */
  key: Buffer | null;
  /** WEBHOOK_SECRET_<SOURCE> values, by source name. */
  envSecrets: Record<string, string[]>;
}

const TTL_MS = 2_000;

/** Sources with their active secrets, cached briefly: intake reads it on every request. */
export class SourceRegistry {
  private cache: { at: number; byName: Map<string, SourceInfo> } | null = null;
  private loading: Promise<Map<string, SourceInfo>> | null = null;

  constructor(
    private readonly db: Db,
    private readonly secrets: SecretContext,
  ) {}

  invalidate(): void {
    this.cache = null;
  }

  async get(name: string): Promise<SourceInfo | undefined> {
    const map = await this.all();
    return map.get(name);
  }

  /** The sources when the cache is fresh, without waiting; null when they must be loaded (`all`). */
  fresh(): Map<string, SourceInfo> | null {
    return this.cache && Date.now() - this.cache.at < TTL_MS ? this.cache.byName : null;
  }

  async all(): Promise<Map<string, SourceInfo>> {
    if (this.cache && Date.now() - this.cache.at < TTL_MS) return this.cache.byName;
    this.loading ??= this.load().finally(() => (this.loading = null));
    let byName: Map<string, SourceInfo>;
    try {
      byName = await this.loading;
    } catch (err) {
      // A lost connection (a killed backend) must not refuse every delivery waiting on this load:
      // the sources last read serve until the next load works. An unreachable server is an outage.
      if (this.cache && isDatabaseUnavailable(err) && !isDatabaseUnreachable(err)) return this.cache.byName;
      throw err;
    }
    this.cache = { at: Date.now(), byName };
    return byName;
  }

  private async load(): Promise<Map<string, SourceInfo>> {
    const now = new Date();
    const rows = await this.db.source.findMany({
      include: { secrets: { where: { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] } } },
    });
    const byName = new Map<string, SourceInfo>();
    for (const row of rows) {
      const fromEnv = this.secrets.envSecrets[row.name];
      let secrets: string[] = [];
      let secretsFrom: SourceInfo["secretsFrom"] = "none";
      if (fromEnv?.length) {
        secrets = fromEnv;
        secretsFrom = "env";
      } else if (this.secrets.key && row.secrets.length) {
        secrets = row.secrets.map((s) => decrypt(this.secrets.key!, s.cipherText));
        secretsFrom = "database";
      }
      byName.set(row.name, {
        id: row.id,
        name: row.name,
        kind: row.kind,
        enabled: row.enabled,
        builtIn: row.builtIn,
        defaultPolicy: row.defaultPolicy,
        rateLimitPerSec: row.rateLimitPerSec,
        rateLimitBurst: row.rateLimitBurst,
        secrets,
        secretsFrom,
      });
    }
    return byName;
  }
}

/** Adds a secret to a source (rotation: the old ones stay valid until they expire or are revoked). */
export async function addSourceSecret(
  db: Db,
  key: Buffer | null,
  sourceId: string,
  label: string,
  secret = newWebhookSecret(),
): Promise<{ id: string; secret: string }> {
  if (!key) {
    throw new AppError(
      "BAD_REQUEST",
      "No APP_SECRET_KEY is configured, so secrets cannot be stored in the database; set WEBHOOK_SECRET_<SOURCE> or APP_SECRET_KEY.",
    );
  }
  const id = newId("sec");
  await db.sourceSecret.create({
    data: { id, sourceId, label, cipherText: encrypt(key, secret), hint: secret.replace(/=+$/, "").slice(-4) },
  });
  return { id, secret };
}

/** Embedded default: every source without any secret gets a development secret, returned for printing. */
export async function ensureDevelopmentSecrets(db: Db, ctx: SecretContext): Promise<{ source: string; secret: string }[]> {
  const created: { source: string; secret: string }[] = [];
  const sources = await db.source.findMany({ include: { secrets: { where: { revokedAt: null } } } });
  for (const s of sources) {
    if (ctx.envSecrets[s.name]?.length || s.secrets.length) continue;
    const { secret } = await addSourceSecret(db, ctx.key, s.id, "development");
    created.push({ source: s.name, secret });
  }
  return created;
}

/** The development secrets currently stored, for the start-up banner and the demo simulator. */
export async function readStoredSecrets(db: Db, key: Buffer): Promise<Record<string, string>> {
  const rows = await db.sourceSecret.findMany({
    where: { revokedAt: null },
    include: { source: { select: { name: true } } },
    orderBy: { createdAt: "desc" },
  });
  const out: Record<string, string> = {};
  for (const r of rows) out[r.source.name] ??= decrypt(key, r.cipherText);
  return out;
}
