import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, TEST_SECRET_KEY, type TestDb } from "../testing/test-db";
import { takeStream } from "./generate-stream";
import { startIntakeServer } from "./intake-server";
import { assertLoopback, postStream } from "./post-stream";
import { readSecretsFile, secretsFromEnv, writeDevSecretsFile } from "./secrets-file";

const secret = (fill: number) => "whsec_" + Buffer.alloc(32, fill).toString("base64");
/** Runs the CLI without blocking this process, which serves the requests it makes. */
function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/simulate.ts", ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

const SECRETS = { ticketing: secret(31), entitlement: secret(32), incident: secret(33), diagnostics: secret(34), environment: secret(35) };
const ENV_SECRETS = Object.fromEntries(Object.entries(SECRETS).map(([k, v]) => [k, [v]]));

describe("assertLoopback", () => {
  it("allows only this machine", () => {
    for (const ok of ["http://127.0.0.1:3000", "http://localhost:3000/", "http://[::1]:3000", "http://127.1.2.3", "https://localhost"]) {
      expect(() => assertLoopback(ok), ok).not.toThrow();
    }
    for (const bad of ["http://10.0.0.1:3000", "http://example.com", "http://0.0.0.0:3000", "http://127.0.0.1.example.com", "ftp://127.0.0.1", "not a url", "http://192.168.1.5"]) {
      expect(() => assertLoopback(bad), bad).toThrow(/loopback|protocol|not a URL/);
    }
  });
});

describe("secrets file", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "h1-secrets-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("round-trips through a file only its owner can read", () => {
    const file = writeDevSecretsFile(dir, SECRETS);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readSecretsFile(file)).toEqual(SECRETS);
    writeFileSync(file, "{}", { mode: 0o644 });
    writeDevSecretsFile(dir, { ticketing: SECRETS.ticketing });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("refuses missing, broken and ill-formed files with a clear message", () => {
    expect(() => readSecretsFile(path.join(dir, "nope.json"))).toThrow(/does not exist/);
    writeFileSync(path.join(dir, "broken.json"), "{");
    expect(() => readSecretsFile(path.join(dir, "broken.json"))).toThrow(/not JSON/);
    writeFileSync(path.join(dir, "bad.json"), JSON.stringify({ ticketing: "secret" }));
    expect(() => readSecretsFile(path.join(dir, "bad.json"))).toThrow(/whsec_/);
  });

  it("reads WEBHOOK_SECRET_<SOURCE>, signing with the first of a rotation list", () => {
    expect(secretsFromEnv({ WEBHOOK_SECRET_TICKETING_EMEA: `${SECRETS.ticketing} ${SECRETS.incident}`, WEBHOOK_SECRET_INCIDENT: SECRETS.incident, OTHER: "x" } as never)).toEqual({
      "ticketing-emea": SECRETS.ticketing,
      incident: SECRETS.incident,
    });
  });
});

describe("postStream and the CLI against the real intake routes", () => {
  let t: TestDb;
  let server: Awaited<ReturnType<typeof startIntakeServer>>;

  beforeAll(async () => {
    t = await createTestDb({ envSecrets: ENV_SECRETS });
    server = await startIntakeServer({ ...t, secrets: { key: TEST_SECRET_KEY, envSecrets: ENV_SECRETS } });
  });

  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it("posts open-loop and each delivery gets the answer its kind calls for", async () => {
    const items = takeStream({ seed: 5, cases: 8, epochMs: Date.UTC(2026, 10, 27) }, 300);
    const summary = await postStream(items, { baseUrl: server.url, secrets: SECRETS, rate: 400, maxInFlight: 16, keepOutcomes: true });
    expect(summary.sent).toBe(300);
    expect(summary.errors).toBe(0);
    expect(Object.keys(summary.byStatus).sort()).toEqual(["200 duplicate", "202 accepted", "202 stale"]);
    // Per webhook-id: one 202, every repeat a 200 duplicate naming the same event.
    const groups = new Map<string, { status: number | null; eventId: unknown }[]>();
    for (const o of summary.outcomes) groups.set(`${o.item.source}|${o.item.webhookId}`, [...(groups.get(`${o.item.source}|${o.item.webhookId}`) ?? []), { status: o.status, eventId: o.body.eventId }]);
    for (const [id, answers] of groups) {
      expect(answers.filter((a) => a.status === 202), id).toHaveLength(1);
      expect(new Set(answers.map((a) => a.eventId)).size, id).toBe(1);
    }
    expect(await t.db.webhookEvent.count()).toBe(groups.size);
    // Whatever the interleaving, each entity ends at the highest version sent.
    const maxSent = new Map<string, number>();
    for (const i of items) maxSent.set(`${i.source}/${i.body.entity.id}`, Math.max(maxSent.get(`${i.source}/${i.body.entity.id}`) ?? 0, i.body.version));
    const entities = await t.db.sourceEntity.findMany({ select: { entityId: true, maxVersion: true, source: { select: { name: true } } } });
    expect(new Map(entities.map((e) => [`${e.source.name}/${e.entityId}`, e.maxVersion]))).toEqual(maxSent);
  });

  it("the CLI signs with a secrets file, prints what it sent and what it got, and refuses non-loopback URLs", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "h1-cli-"));
    try {
      const file = writeDevSecretsFile(dir, SECRETS);
      const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dir };
      for (const k of Object.keys(env)) if (k.startsWith("WEBHOOK_SECRET_")) delete env[k];
      const run = (...args: string[]) => runCli(args, env);
      const ok = await run("--rate", "40", "--cases", "4", "--duration", "1.5", "--seed", "9", "--url", server.url);
      expect(ok.stderr).toBe("");
      expect(ok.status).toBe(0);
      expect(ok.stdout).toContain("seed 9");
      expect(ok.stdout).toMatch(/sent \d+ requests/);
      expect(ok.stdout).toMatch(/202 accepted\s+\d+/);
      expect(ok.stdout).toContain("by source");
      const explicit = await run("--rate", "20", "--cases", "2", "--duration", "0.5", "--secrets-file", file, "--url", server.url, "--seed", "10");
      expect(explicit.status).toBe(0);
      const remote = await run("--url", "http://10.1.2.3:3000", "--duration", "1");
      expect(remote.status).toBe(1);
      expect(remote.stderr).toMatch(/only posts to loopback/);
      const noSecrets = await runCli(["--url", server.url], { ...env, DATA_DIR: path.join(dir, "empty") });
      expect(noSecrets.status).toBe(1);
      expect(noSecrets.stderr).toMatch(/no signing secret for ticketing/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
