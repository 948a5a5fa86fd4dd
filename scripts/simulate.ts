// `npm run simulate -- --rate N --cases M [--url U] [--duration S] [--seed K] [--secrets-file F]`:
// posts a realistic, seeded stream of signed webhooks for the five built-in sources to a local
// server, open-loop at a fixed rate, and prints what it sent and the answers it got.
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { SOURCE_KINDS } from "../server/intake/event-schemas";
import { AppError } from "../server/lib/errors";
import { generateStream } from "../dev/simulator/generate-stream";
import { outcomeLabel, postStream, type PostSummary } from "../dev/simulator/post-stream";
import { devSecretsPath, readSecretsFile, secretsFromEnv } from "../dev/simulator/secrets-file";

const USAGE = `usage: npm run simulate -- --rate N --cases M [--url http://127.0.0.1:3000] [--duration S] [--seed K] [--secrets-file F] [--max-in-flight K] [--verbose]

  --rate N           requests started per second (open loop), default 20
  --cases M          cases in the simulated world, default 20
  --url U            server base URL, loopback only; default http://127.0.0.1:$PORT (3000)
  --duration S       seconds to run, default 10
  --seed K           stream seed (same seed, same stream); default random, printed
  --secrets-file F   JSON {source: secret}; default $DATA_DIR/dev-secrets.json, written by the embedded server
  --max-in-flight K  bound on concurrent requests, default 256
  --verbose          print every request and its answer
Secrets: WEBHOOK_SECRET_<SOURCE> environment variables win over the file.`;

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new AppError("BAD_REQUEST", `--${name} must be a positive number, got "${raw}"`);
  return n;
}

function loadSecrets(file: string | undefined): Record<string, string> {
  const dataDir = process.env.DATA_DIR || "./.data";
  const path = file ?? devSecretsPath(dataDir);
  const fromFile = file || existsSync(path) ? readSecretsFile(path) : {};
  const secrets = { ...fromFile, ...secretsFromEnv(process.env) };
  const missing = SOURCE_KINDS.filter((s) => !secrets[s]);
  if (missing.length) {
    throw new AppError(
      "BAD_REQUEST",
      `no signing secret for ${missing.join(", ")}: set WEBHOOK_SECRET_<SOURCE>, pass --secrets-file, or start the embedded server once so it writes ${path}`,
    );
  }
  return secrets;
}

function table(title: string, rows: Record<string, Record<string, number>>) {
  console.log(`\n${title}`);
  for (const [key, counts] of Object.entries(rows).sort()) {
    const cells = Object.entries(counts).sort().map(([label, n]) => `${label}: ${n}`);
    console.log(`  ${key.padEnd(14)} ${cells.join(", ")}`);
  }
}

function report(s: PostSummary) {
  console.log(`\nsent ${s.sent} requests in ${s.seconds.toFixed(1)} s (${(s.sent / Math.max(s.seconds, 0.001)).toFixed(1)}/s)`);
  for (const [label, n] of Object.entries(s.byStatus).sort()) console.log(`  ${label.padEnd(16)} ${n}`);
  table("by source", s.bySourceAndStatus);
  table("by delivery", s.byDeliveryAndStatus);
  if (s.throttled) console.log(`\nthe in-flight bound held the sender back ${s.throttled} times (the server answers slower than the rate)`);
}

async function main() {
  const { values } = parseArgs({
    options: {
      rate: { type: "string" },
      cases: { type: "string" },
      url: { type: "string" },
      duration: { type: "string" },
      seed: { type: "string" },
      "secrets-file": { type: "string" },
      "max-in-flight": { type: "string" },
      verbose: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const rate = positive("rate", values.rate, 20);
  const cases = Math.round(positive("cases", values.cases, 20));
  const duration = positive("duration", values.duration, 10);
  const maxInFlight = Math.round(positive("max-in-flight", values["max-in-flight"], 256));
  const seed = values.seed !== undefined ? Math.round(positive("seed", values.seed, 1)) : Math.floor(Math.random() * 2 ** 31);
  const url = values.url ?? `http://127.0.0.1:${process.env.PORT || 3000}`;
  const secrets = loadSecrets(values["secrets-file"]);
  const epochMs = Math.floor(Date.now() / 1000) * 1000;

  console.log(`simulating ${cases} cases at ${rate}/s for ${duration} s against ${url} (seed ${seed}; rerun with --seed ${seed} for the same stream)`);
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort());
  const summary = await postStream(generateStream({ seed, cases, epochMs, stepMs: 1000 / rate }), {
    baseUrl: url,
    secrets,
    rate,
    durationSeconds: duration,
    maxInFlight,
    signal: controller.signal,
    onOutcome: values.verbose
      ? (o) => {
          const tag = o.item.delivery === "fresh" ? "" : ` [${o.item.delivery}]`;
          const conflict = o.item.conflict ? ` [meant to trip ${o.item.conflict}]` : "";
          const detail = o.status === null ? o.error : o.status >= 400 ? o.body.error : o.body.eventId;
          console.log(`#${o.item.seq} ${o.item.source} ${o.item.body.entity.id} v${o.item.body.version} ${o.item.webhookId}${tag}${conflict} → ${outcomeLabel(o)} ${detail ?? ""}`);
        }
      : undefined,
  });
  report(summary);
  if (summary.errors === summary.sent && summary.sent > 0) {
    console.error(`\nno request reached ${url}: is the server running?`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(`simulate: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
