import parsePrometheusTextFormat, { type PromFamily } from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET } from "../../app/api/metrics/route";
import { bearerHeaders, installTestRuntime, type TestRuntime } from "../../dev/testing/auth";
import { receiveWebhook } from "../intake/receive-webhook";
import { SourceRegistry } from "../sources/registry";
import { drain } from "../refresh/process-events";
import { signWebhook } from "../../dev/simulator/sign";
import { incident, nextWebhookId, ticket, type TestEvent } from "../../dev/testing/events";
import { TEST_DB_KIND, TEST_SECRET_KEY } from "../../dev/testing/test-db";

/**
 * GET /api/metrics read by a real Prometheus text-format parser: every family well formed and
 * named by the conventions, and the values follow what the app did.
 */
const SECRET = "whsec_" + Buffer.alloc(32, 9).toString("base64");
let tr: TestRuntime;
let registry: SourceRegistry;

beforeAll(async () => {
  tr = await installTestRuntime();
  registry = new SourceRegistry(tr.rt.db, { key: TEST_SECRET_KEY, envSecrets: { ticketing: [SECRET], incident: [SECRET] } });
});
afterAll(async () => tr?.close());

async function deliver(source: string, ev: TestEvent, opts: { secret?: string; contentType?: string; webhookId?: string } = {}) {
  const body = JSON.stringify(ev.body);
  const signed = signWebhook({ baseUrl: "http://127.0.0.1", source, secret: opts.secret ?? SECRET, webhookId: opts.webhookId ?? nextWebhookId(), body });
  const h = signed.headers;
  return receiveWebhook(
    { db: tr.rt.db, registry, limiter: tr.rt.limiter },
    {
      sourceName: source,
      contentType: opts.contentType ?? "application/json",
      contentLength: body.length,
      webhookId: h["webhook-id"]!,
      timestamp: h["webhook-timestamp"]!,
      signature: h["webhook-signature"]!,
      remoteAddr: "127.0.0.1",
      readBody: async () => Buffer.from(body, "utf8"),
    },
  );
}

async function scrape(): Promise<{ text: string; families: Map<string, PromFamily> }> {
  const res = await GET(new Request("http://127.0.0.1/api/metrics", { headers: bearerHeaders() }));
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  return { text, families: new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f])) };
}

/**
 * The parser folds the series of a labelled histogram into one (it keeps only unlabelled _sum and
 * _count), so each series is handed to it on its own: its lines with the non-`le` labels taken
 * off, those labels read back by the parser from a one-line gauge.
 */
interface Series {
  labels: Record<string, string>;
  count: number;
  sum: number;
  buckets: Record<string, string>;
}
function histogramSeries(text: string, name: string): Series[] {
  const groups = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const m = line.match(/^(\w+?)(_bucket|_sum|_count)(?:\{(.*)\})? (\S+)$/);
    if (!m || m[1] !== name) continue;
    const pairs = (m[3] ?? "").match(/\w+="(?:[^"\\]|\\.)*"/g) ?? [];
    const key = pairs.filter((p) => !p.startsWith("le=")).join(",");
    const le = pairs.find((p) => p.startsWith("le="));
    groups.set(key, [...(groups.get(key) ?? []), `${m[1]}${m[2]}${le ? `{${le}}` : ""} ${m[4]}`]);
  }
  return [...groups].map(([key, lines]) => {
    const [family] = parsePrometheusTextFormat(`# HELP ${name} h\n# TYPE ${name} histogram\n${lines.join("\n")}\n`);
    const labels = key ? parsePrometheusTextFormat(`# HELP k k\n# TYPE k gauge\nk{${key}} 0\n`)[0]!.metrics[0]!.labels! : {};
    const m = family!.metrics[0]!;
    return { labels, count: Number(m.count), sum: Number(m.sum), buckets: m.buckets ?? {} };
  });
}

const sample = (families: Map<string, PromFamily>, name: string, labels: Record<string, string>) =>
  families.get(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
const value = (families: Map<string, PromFamily>, name: string, labels: Record<string, string> = {}) => Number(sample(families, name, labels)?.value ?? NaN);
const count = (text: string, name: string, labels: Record<string, string> = {}) =>
  histogramSeries(text, name).find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.count ?? NaN;

describe("GET /api/metrics", () => {
  it("needs a read-API bearer token", async () => {
    const res = await GET(new Request("http://127.0.0.1/api/metrics"));
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toMatch(/bearer token/);
    expect((await GET(new Request("http://127.0.0.1/api/metrics", { headers: bearerHeaders("wrong-token") }))).status).toBe(401);
  });

  it("counts intake by source and reason, times acks, refreshes and event-to-current, and reads backlog and exceptions", async () => {
    const webhookId = nextWebhookId();
    expect((await deliver("ticketing", ticket("MET-1", 1, { severity: "S1" }), { webhookId })).status).toBe(202);
    expect((await deliver("ticketing", ticket("MET-1", 1, { severity: "S1" }), { webhookId })).status).toBe(200);
    expect((await deliver("incident", incident("MET-INC", 1, { caseIds: ["MET-1"], severity: "S2" }))).status).toBe(202);
    expect((await deliver("ticketing", ticket("MET-2", 1), { secret: "whsec_" + Buffer.alloc(32, 1).toString("base64") })).status).toBe(401);
    expect((await deliver("ticketing", ticket("MET-2", 1), { contentType: "text/plain" })).status).toBe(415);
    expect((await deliver("no-such-source-x1", ticket("MET-2", 1))).status).toBe(404);
    await drain(tr.rt);
    // A conflict left open, and one event left in the backlog.
    expect((await deliver("incident", incident("MET-INC", 2, { caseIds: ["MET-1"], severity: "S4" }))).status).toBe(202);
    await drain(tr.rt);
    expect((await deliver("ticketing", ticket("MET-3", 1))).status).toBe(202);

    const { text, families } = await scrape();
    expect(value(families, "escalation_intake_accepted_total", { source: "ticketing", status: "accepted" })).toBe(2);
    expect(value(families, "escalation_intake_accepted_total", { source: "ticketing", status: "duplicate" })).toBe(1);
    expect(value(families, "escalation_intake_accepted_total", { source: "incident", status: "accepted" })).toBe(2);
    expect(value(families, "escalation_intake_refused_total", { source: "ticketing", reason: "signature" })).toBe(1);
    expect(value(families, "escalation_intake_refused_total", { source: "ticketing", reason: "unsupported_media_type" })).toBe(1);
    expect(value(families, "escalation_intake_refused_total", { source: "unknown", reason: "unknown_source" })).toBe(1);
    // The sender's path segment never becomes a label.
    expect(text).not.toContain("no-such-source-x1");
    // Timed apart: what a sender waits for an acknowledgement, and for a refusal.
    expect(count(text, "escalation_intake_ack_duration_seconds", { source: "ticketing", outcome: "acknowledged" })).toBe(3);
    expect(count(text, "escalation_intake_ack_duration_seconds", { source: "ticketing", outcome: "refused" })).toBe(2);
    expect(count(text, "escalation_refresh_duration_seconds", { outcome: "applied" })).toBeGreaterThanOrEqual(1);
    expect(count(text, "escalation_refresh_duration_seconds", { outcome: "held" })).toBeGreaterThanOrEqual(1);
    // The ticket and the first incident version became current; the S4 incident is held.
    expect(count(text, "escalation_event_to_current_seconds")).toBe(2);
    expect(value(families, "escalation_exceptions_unresolved", { rule: "SEVERITY_CONFLICT", status: "open" })).toBe(1);
    expect(value(families, "escalation_exceptions_unresolved", { rule: "SCHEMA_INVALID", status: "open" })).toBe(0);
    expect(value(families, "escalation_refresh_backlog_events", { source: "ticketing" })).toBe(1);
    expect(value(families, "escalation_refresh_backlog_oldest_age_seconds")).toBeGreaterThanOrEqual(0);
    if (TEST_DB_KIND === "postgres") expect(value(families, "escalation_db_pool_connections", { state: "total" })).toBeGreaterThanOrEqual(1);
    else expect(families.has("escalation_db_pool_connections")).toBe(true);
    expect(families.has("process_cpu_user_seconds_total")).toBe(true);
  });

  it("every family is named and typed by the Prometheus conventions", async () => {
    const { text, families } = await scrape();
    for (const f of families.values()) {
      expect(f.name).toMatch(/^[a-z_:][a-z0-9_:]*$/);
      expect(f.help.length, f.name).toBeGreaterThan(0);
      if (f.type === "COUNTER") expect(f.name).toMatch(/_total$/);
      if (f.name.startsWith("escalation_") && /duration|latency|_seconds/.test(f.name)) expect(f.name).toMatch(/_seconds(_total)?$/);
      if (f.type !== "HISTOGRAM") continue;
      const series = histogramSeries(text, f.name);
      for (const s of series) expect(Number(s.buckets["+Inf"]), f.name).toBe(s.count);
    }
  });
});
