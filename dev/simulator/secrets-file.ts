import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { isWebhookSecret } from "../../server/env";
import { AppError } from "../../server/lib/errors";

/**
 * DATA_DIR/dev-secrets.json: the embedded default's development secrets, {source: secret}, so
 * `npm run simulate` can sign for a local server with no flags. Readable by its owner only.
 */
export const DEV_SECRETS_FILE = "dev-secrets.json";

const secretsJson = z.record(z.string(), z.string().refine(isWebhookSecret, "expected whsec_ followed by base64 of 24 to 64 bytes"));

export function devSecretsPath(dataDir: string): string {
  return path.join(dataDir, DEV_SECRETS_FILE);
}

export function writeDevSecretsFile(dataDir: string, secrets: Record<string, string>): string {
  const file = devSecretsPath(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(secrets, null, 2) + "\n", { mode: 0o600 });
  chmodSync(tmp, 0o600); // mode is ignored when the file already existed
  renameSync(tmp, file);
  return file;
}

export function readSecretsFile(file: string): Record<string, string> {
  if (!existsSync(file)) throw new AppError("NOT_FOUND", `secrets file ${file} does not exist`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new AppError("BAD_REQUEST", `secrets file ${file} is not JSON: ${(err as Error).message}`);
  }
  const parsed = secretsJson.safeParse(raw);
  if (!parsed.success) {
    throw new AppError("BAD_REQUEST", `secrets file ${file} must be {"source": "whsec_..."}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return parsed.data;
}

/** WEBHOOK_SECRET_<SOURCE> values (the first of a rotation list signs), by source name. */
export function secretsFromEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith("WEBHOOK_SECRET_") || !value?.trim()) continue;
    const name = key.slice("WEBHOOK_SECRET_".length).toLowerCase().replace(/_/g, "-");
    out[name] = value.trim().split(/\s+/)[0]!;
  }
  return out;
}
