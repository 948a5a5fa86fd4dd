import "server-only";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { Db } from "../db/client";
import { audit, type Actor } from "../lib/audit";
import { sha256Hex } from "../lib/crypto";
import { AppError } from "../lib/errors";
import { newId } from "../lib/ids";
import { assertRole } from "./authorize";

/**
 * Read-API bearer tokens. A token is shown once, at creation; only its SHA-256 and a short prefix
 * (to tell tokens apart) are stored. Tokens only open the read API (GET /api/v1/**): the tRPC API
 * and every mutation authenticate by session cookie alone.
 */
export const TOKEN_PREFIX = "err_";
export const createTokenInput = z.object({ name: z.string().trim().min(1, "name the token after the tool that uses it").max(100) });
export const tokenIdInput = z.object({ id: z.string().min(1).max(100), note: z.string().trim().max(500).optional() });

export async function listApiTokens(db: Db, actor: Actor) {
  assertRole(actor, "admin");
  return db.apiToken.findMany({
    orderBy: [{ revokedAt: { sort: "asc", nulls: "first" } }, { createdAt: "desc" }],
    select: { id: true, name: true, prefix: true, lastUsedAt: true, revokedAt: true, createdAt: true, createdBy: { select: { id: true, name: true } } },
  });
}

export async function createApiToken(db: Db, actor: Actor, raw: unknown): Promise<{ id: string; name: string; prefix: string; token: string }> {
  assertRole(actor, "admin");
  const input = createTokenInput.parse(raw);
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  const prefix = token.slice(0, TOKEN_PREFIX.length + 6);
  const id = newId("tok");
  await db.$transaction(async (tx) => {
    await tx.apiToken.create({ data: { id, name: input.name, tokenHash: sha256Hex(token), prefix, createdById: actor.id } });
    await audit(tx, actor, { action: "api_token.create", targetType: "api_token", targetId: id, after: { name: input.name, prefix, scope: "read" } });
  });
  return { id, name: input.name, prefix, token };
}

export async function revokeApiToken(db: Db, actor: Actor, raw: unknown): Promise<void> {
  assertRole(actor, "admin");
  const input = tokenIdInput.parse(raw);
  await db.$transaction(async (tx) => {
    const row = await tx.apiToken.findUnique({ where: { id: input.id }, select: { id: true, name: true, prefix: true, revokedAt: true } });
    if (!row) throw new AppError("NOT_FOUND", `API token ${input.id} does not exist`);
    if (row.revokedAt) throw new AppError("CONFLICT", `API token "${row.name}" is already revoked`);
    const revokedAt = new Date();
    await tx.apiToken.update({ where: { id: row.id }, data: { revokedAt } });
    await audit(tx, actor, {
      action: "api_token.revoke",
      targetType: "api_token",
      targetId: row.id,
      before: { name: row.name, prefix: row.prefix, revokedAt: null },
      after: { revokedAt: revokedAt.toISOString() },
      note: input.note ?? null,
    });
  });
}
