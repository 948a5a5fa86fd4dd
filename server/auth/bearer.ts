import "server-only";
import { timingSafeEqual } from "node:crypto";
import type { Db } from "../db/client";
import { sha256Hex } from "../lib/crypto";
import { AppError } from "../lib/errors";

/** Read-API bearer tokens: API_TOKEN from the environment, or tokens stored hashed in the database. */
export async function authenticateBearer(db: Db, apiToken: string | undefined, header: string | null): Promise<{ tokenId: string | null }> {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  if (!match) throw new AppError("UNAUTHORIZED", "missing bearer token: send Authorization: Bearer <token>");
  const token = match[1]!;
  if (apiToken) {
    const a = Buffer.from(sha256Hex(token));
    const b = Buffer.from(sha256Hex(apiToken));
    if (timingSafeEqual(a, b)) return { tokenId: null };
  }
  const row = await db.apiToken.findUnique({ where: { tokenHash: sha256Hex(token) }, select: { id: true, revokedAt: true, lastUsedAt: true } });
  if (!row || row.revokedAt) throw new AppError("UNAUTHORIZED", "invalid or revoked bearer token");
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }
  return { tokenId: row.id };
}
