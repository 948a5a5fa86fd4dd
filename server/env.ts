import "server-only";
import { z } from "zod";
import { parseTrustedProxies } from "../scripts/edge-screen.mjs";

/** Configuration of docs/api.md plus the operational knobs; parsed once, a bad value stops the start. */
const secretList = z
  .string()
  .trim()
  .transform((v) => v.split(/\s+/).filter(Boolean))
  .pipe(
    z
      .array(
        z.string().refine(isWebhookSecret, {
          message: "expected whsec_ followed by base64 of 24 to 64 bytes",
        }),
      )
      .min(1, "expected at least one secret"),
  );

export function isWebhookSecret(value: string): boolean {
  if (!value.startsWith("whsec_")) return false;
  const b64 = value.slice(6);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return false;
  const len = Buffer.from(b64, "base64").length;
  return len >= 24 && len <= 64;
}

const schema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  DATABASE_URL: z
    .string()
    .trim()
    .regex(/^postgres(ql)?:\/\//, "expected a postgres:// or postgresql:// connection string")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  DATA_DIR: z.string().trim().min(1).default("./.data"),
  API_TOKEN: z.string().trim().min(16, "expected at least 16 characters").optional().or(z.literal("").transform(() => undefined)),
  /** 32 bytes, base64 or hex, for encrypting webhook secrets at rest; generated into DATA_DIR when embedded. */
  APP_SECRET_KEY: z.string().trim().optional(),
  /** Start refresh workers inside the app process. */
  IN_PROCESS_WORKER: z.enum(["on", "off"]).default("on"),
  /**
   * Vacuum and analyze of the app's tables by the app (server/ops/table-maintenance.ts): auto runs it
   * on the embedded database and when PostgreSQL's autovacuum is off; on: always; off: never.
   */
  DB_VACUUM: z.enum(["auto", "on", "off"]).default("auto"),
  /** Cases a worker refreshes at the same time; default 4 on PostgreSQL, 1 embedded. */
  REFRESH_CONCURRENCY: z.coerce.number().int().min(1).max(32).optional(),
  /** Webhook deliveries worked on at once; more get 503 with Retry-After. Default 32 on PostgreSQL, 8 embedded (server/intake/intake-gate.ts). */
  INTAKE_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(100_000).optional(),
  /** The same bound for 100 ms after 100 ms that refused a delivery (at most INTAKE_MAX_IN_FLIGHT). Default half of it on PostgreSQL, all of it embedded. */
  INTAKE_OVERLOADED_IN_FLIGHT: z.coerce.number().int().min(1).max(100_000).optional(),
  /** Event-loop lag (ms) beyond which deliveries also get 503; 0 turns it off. Default 1,000. */
  INTAKE_MAX_LAG_MS: z.coerce.number().int().min(0).max(60_000).optional(),
  /** Event-loop lag (ms) that intake's admission control keeps to (server/intake/intake-gate.ts); 0 turns it off. Default 10 in production, off otherwise. */
  INTAKE_TARGET_LAG_MS: z.coerce.number().int().min(0).max(60_000).optional(),
  /** Build the demo on first start of the embedded database. */
  DEMO: z.enum(["on", "off"]).default("on"),
  /** CIDRs of reverse proxies whose X-Forwarded-For/-Host/-Proto count; none by default (the socket's peer is the client). */
  TRUSTED_PROXIES: z
    .string()
    .trim()
    .default("")
    .refine(
      (v) => {
        try {
          parseTrustedProxies(v);
          return true;
        } catch {
          return false;
        }
      },
      { message: 'expected IP addresses or CIDRs separated by commas, e.g. "10.0.0.0/8, 192.168.1.7"' },
    ),
  /** The app's public origin (scheme, host, port) for the CSRF check and Secure cookies; default: the request's own. */
  APP_URL: z
    .string()
    .trim()
    .url("expected an absolute URL such as https://escalations.example.com")
    .refine((v) => /^https?:\/\//.test(v), "expected an http:// or https:// URL")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
});

export type Env = z.infer<typeof schema> & { webhookSecrets: Record<string, string[]> };

export class EnvError extends Error {}

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = schema.safeParse(source);
  const problems: string[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(`${issue.path.join(".")}: ${issue.message}`);
  }
  const webhookSecrets: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(source)) {
    if (!key.startsWith("WEBHOOK_SECRET_") || value === undefined) continue;
    const parsed = secretList.safeParse(value);
    if (!parsed.success) {
      problems.push(`${key}: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
      continue;
    }
    const source = key.slice("WEBHOOK_SECRET_".length).toLowerCase().replace(/_/g, "-");
    webhookSecrets[source] = parsed.data;
  }
  if (problems.length > 0 || !result.success) {
    throw new EnvError(`Invalid configuration:\n  ${problems.join("\n  ")}`);
  }
  return { ...result.data, webhookSecrets };
}

const globalEnv = globalThis as unknown as { __errEnv?: Env };

export function env(): Env {
  globalEnv.__errEnv ??= parseEnv();
  return globalEnv.__errEnv;
}
