import { createHmac } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST } from "@/app/api/webhooks/[source]/route";
import { getEventStatus } from "../api/read-api";
import type { SourceKind } from "./event-schemas";
import { installRuntime } from "../../dev/simulator/intake-server";
import { onboardSource } from "../sources/onboard-source";
import { bundle, entitlement, environment, incident, ticket, type TestEvent } from "../../dev/testing/events";
import { createTestDb, TEST_SECRET_KEY, type TestDb } from "../../dev/testing/test-db";
import { MAX_BODY_BYTES, setRefusalBudget } from "./receive-webhook";

/**
 * docs/api.md's intake table, request by request, through the real route handler: each hostile input
 * gets its exact status and body shape, never a 5xx, and the database changes only where it
 * should (a Refusal row per refusal, an event row per acceptance, nothing else).
 */
const secret = (fill: number) => "whsec_" + Buffer.alloc(32, fill).toString("base64");
const SECRETS = {
  ticketingOld: secret(1),
  ticketingNew: secret(2),
  entitlement: secret(3),
  incident: secret(4),
  diagnostics: secret(5),
  environment: secret(6),
  stranger: secret(9),
};
const ENV_SECRETS: Record<string, string[]> = {
  ticketing: [SECRETS.ticketingOld, SECRETS.ticketingNew],
  entitlement: [SECRETS.entitlement],
  incident: [SECRETS.incident],
  diagnostics: [SECRETS.diagnostics],
  environment: [SECRETS.environment],
};
const SIGNER: Record<string, string> = {
  ticketing: SECRETS.ticketingNew,
  entitlement: SECRETS.entitlement,
  incident: SECRETS.incident,
  diagnostics: SECRETS.diagnostics,
  environment: SECRETS.environment,
};
const MARKER = "HOSTILE-UNVERIFIED-MARKER";
const KINDS: SourceKind[] = ["ticketing", "entitlement", "incident", "diagnostics", "environment"];

let t: TestDb;
let uninstall: () => Promise<void>;
let seq = 0;
const tally = { requests: 0, accepted: 0, refused: 0, duplicates: 0, statuses: new Set<number>(), refusedByStatus: {} as Record<number, number> };
const refusedIds: { source: string; webhookId: string }[] = [];

beforeAll(async () => {
  t = await createTestDb({ envSecrets: ENV_SECRETS });
  ({ uninstall } = installRuntime({ ...t, secrets: { key: TEST_SECRET_KEY, envSecrets: ENV_SECRETS } }));
  // This suite sends a few hundred refusals from one (unknown) address; the budget has its own test below.
  setRefusalBudget(1_000_000);
});

afterAll(async () => {
  vi.useRealTimers();
  await uninstall?.();
  await t?.close();
});

/** A valid event of a source for a new entity, so it is never stale. */
function valid(kind: SourceKind): TestEvent {
  const i = ++seq;
  const note = { id: `N-${i}`, author: "Priya Nair (Support)", body: "Customer confirmed the issue.", at: "2026-11-27T01:00:00Z" };
  switch (kind) {
    case "ticketing":
      return ticket(`CASE-H${i}`, 1, { notes: [note], declaredServiceTier: "premium", environmentId: `ENV-H${i}` }, `TCK-H${i}`);
    case "entitlement":
      return entitlement(`ACC-H${i}`, 1, { correction: { reason: "renewal date corrected" } });
    case "incident":
      return incident(`INC-H${i}`, 1, { caseIds: [`CASE-H${i}`] });
    case "diagnostics":
      return bundle(`CASE-H${i}`, `BND-H${i}`, 1, { supersedes: `BND-H${i - 1}` });
    case "environment":
      return environment(`ENV-H${i}`, 1);
  }
}

const clone = <T>(v: T): T => structuredClone(v);

/** The event with the value at a JSON path removed (value === undefined) or replaced. */
function edit(ev: TestEvent, path: (string | number)[], value?: unknown): TestEvent {
  const out = clone(ev);
  let cur = out.body as unknown as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) cur = cur[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
  return out;
}

interface Send {
  source?: string;
  event?: TestEvent;
  /** Raw body; defaults to the event's JSON. */
  body?: string | Uint8Array;
  webhookId?: string | null;
  /** Unix seconds; null omits the header. */
  timestamp?: number | string | null;
  /** The webhook-signature header; by default a valid v1 signature with the source's secret. */
  signature?: string | null;
  secret?: string;
  sign?: { id?: string; timestamp?: number; body?: string };
  contentType?: string | null;
  /** Send a Content-Length header (default true), or this value instead of the body's length. */
  contentLength?: boolean | number;
  /** The client address the edge would have stamped (x-escalation-client-address). */
  remoteAddr?: string;
}

interface Result {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
  events: number;
  refusals: number;
  webhookId: string;
  source: string;
}

function signature(secretValue: string, id: string, ts: number, body: string): string {
  return new Webhook(secretValue).sign(id, new Date(ts * 1000), body);
}

async function send(s: Send = {}): Promise<Result> {
  const event = s.event ?? valid("ticketing");
  const source = s.source ?? event.kind;
  const body = s.body ?? JSON.stringify({ ...event.body });
  const bodyText = typeof body === "string" ? body : Buffer.from(body).toString("utf8");
  const webhookId = s.webhookId === undefined ? `msg_hostile_${++seq}` : s.webhookId;
  const ts = s.timestamp === undefined ? Math.floor(Date.now() / 1000) : s.timestamp;
  const headers = new Headers();
  if (s.contentType !== null) headers.set("content-type", s.contentType ?? "application/json");
  if (webhookId !== null) headers.set("webhook-id", webhookId);
  if (ts !== null) headers.set("webhook-timestamp", String(ts));
  const sig =
    s.signature !== undefined
      ? s.signature
      : signature(s.secret ?? SIGNER[source] ?? SECRETS.stranger, s.sign?.id ?? webhookId ?? "none", s.sign?.timestamp ?? (Number.isFinite(Number(ts)) ? Number(ts) : 0), s.sign?.body ?? bodyText);
  if (sig !== null) headers.set("webhook-signature", sig);
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  if (s.contentLength !== false) headers.set("content-length", String(typeof s.contentLength === "number" ? s.contentLength : bytes.byteLength));
  if (s.remoteAddr) headers.set("x-escalation-client-address", s.remoteAddr);
  const [eventsBefore, refusalsBefore] = await Promise.all([t.db.webhookEvent.count(), refusalTotal()]);
  const req = new Request(`http://127.0.0.1/api/webhooks/${encodeURIComponent(source)}`, { method: "POST", headers, body: new Uint8Array(bytes) });
  const res = await POST(req, { params: Promise.resolve({ source }) });
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const parsed = JSON.parse(await res.text()) as Record<string, unknown>;
  const [eventsAfter, refusalsAfter] = await Promise.all([t.db.webhookEvent.count(), refusalTotal()]);
  tally.requests++;
  tally.statuses.add(res.status);
  expect(res.status, `no 5xx: ${JSON.stringify(parsed)}`).toBeLessThan(500);
  return {
    status: res.status,
    body: parsed,
    headers: res.headers,
    events: eventsAfter - eventsBefore,
    refusals: refusalsAfter - refusalsBefore,
    webhookId: webhookId ?? "",
    source,
  };
}

/** Refusals counted, whether each has a row of its own or shares one (identical within a minute). */
async function refusalTotal(): Promise<number> {
  return (await t.db.refusal.aggregate({ _sum: { count: true } }))._sum.count ?? 0;
}

/** A refusal: the status, `{ error }` (plus issues for 400), one Refusal row, no event row. */
function refused(r: Result, status: number, issuePath?: string): void {
  expect({ status: r.status, body: r.body }).toMatchObject({ status, body: { error: expect.any(String) } });
  expect((r.body.error as string).length).toBeGreaterThan(0);
  expect(r.body).not.toHaveProperty("eventId");
  expect(r.body).not.toHaveProperty("status");
  expect(r.events).toBe(0);
  expect(r.refusals).toBe(1);
  if (status === 400) {
    const issues = r.body.issues as { path: unknown; message: unknown }[];
    expect(Array.isArray(issues) && issues.length > 0).toBe(true);
    for (const i of issues) {
      expect(typeof i.path).toBe("string");
      expect(typeof i.message).toBe("string");
    }
    if (issuePath !== undefined) expect(issues.map((i) => i.path).some((p) => p === issuePath || (p as string).startsWith(issuePath + "/")), `${issuePath} in ${JSON.stringify(issues)}`).toBe(true);
  } else {
    expect(Object.keys(r.body)).toEqual(["error"]);
  }
  if (status === 429) expect(r.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
  tally.refused++;
  tally.refusedByStatus[status] = (tally.refusedByStatus[status] ?? 0) + 1;
  if (r.webhookId) refusedIds.push({ source: r.source, webhookId: r.webhookId });
}

async function accepted(r: Result, status: "accepted" | "stale" = "accepted"): Promise<string> {
  expect({ status: r.status, body: r.body }).toEqual({ status: 202, body: { status, eventId: expect.stringMatching(/^evt_/) } });
  expect(r.events).toBe(1);
  expect(r.refusals).toBe(0);
  const row = await t.db.webhookEvent.findUnique({ where: { id: r.body.eventId as string }, select: { webhookId: true, status: true, source: { select: { name: true } } } });
  expect(row).toEqual({ webhookId: r.webhookId, status: status === "stale" ? "stale" : "received", source: { name: r.source } });
  tally.accepted++;
  return r.body.eventId as string;
}

function duplicate(r: Result, eventId: string): void {
  expect({ status: r.status, body: r.body }).toEqual({ status: 200, body: { status: "duplicate", eventId } });
  expect(r.events).toBe(0);
  expect(r.refusals).toBe(0);
  tally.duplicates++;
}

describe("signatures", () => {
  it("refuses missing, malformed and wrong signatures with 401", async () => {
    refused(await send({ signature: null }), 401);
    refused(await send({ webhookId: null }), 401);
    refused(await send({ timestamp: null }), 401);
    refused(await send({ signature: "" }), 401);
    refused(await send({ secret: SECRETS.stranger }), 401);
    refused(await send({ secret: SECRETS.entitlement }), 401); // another source's secret
    refused(await send({ signature: "v1,garbage" }), 401);
    refused(await send({ signature: "v1," + Buffer.alloc(32).toString("base64") }), 401);
    refused(await send({ signature: "v2," + Buffer.alloc(32).toString("base64") }), 401);
    refused(await send({ signature: "v1" }), 401);
    refused(await send({ signature: Array.from({ length: 20 }, (_, i) => `v1,${Buffer.alloc(32, i).toString("base64")}`).join(" ") }), 401);
    refused(await send({ sign: { body: JSON.stringify(valid("ticketing").body) } }), 401); // body tampered after signing
    refused(await send({ sign: { id: "msg_other" } }), 401);
    refused(await send({ sign: { timestamp: Math.floor(Date.now() / 1000) - 1 } }), 401);
    refused(await send({ timestamp: "abc" }), 401);
    refused(await send({ timestamp: Date.now() }), 401); // milliseconds, not seconds
    refused(await send({ timestamp: "-5" }), 401);
    refused(await send({ source: "entitlement", event: valid("entitlement"), secret: SECRETS.ticketingNew }), 401);
  });

  it("accepts a signature made with any active secret (rotation), among several signatures", async () => {
    await accepted(await send({ secret: SECRETS.ticketingOld }));
    await accepted(await send({ secret: SECRETS.ticketingNew }));
    const ts = Math.floor(Date.now() / 1000);
    const ev = valid("ticketing");
    const body = JSON.stringify(ev.body);
    const good = signature(SECRETS.ticketingOld, "msg_rot_1", ts, body);
    const bad = signature(SECRETS.stranger, "msg_rot_1", ts, body);
    await accepted(await send({ event: ev, webhookId: "msg_rot_1", timestamp: ts, signature: `${bad} ${good}` }));
    const ev2 = valid("ticketing");
    const body2 = JSON.stringify(ev2.body);
    await accepted(await send({ event: ev2, webhookId: "msg_rot_2", timestamp: ts, signature: `${signature(SECRETS.ticketingNew, "msg_rot_2", ts, body2)} v1,AAAA v2,zzzz` }));
    await accepted(await send({ webhookId: "m".repeat(200) }));
  });
});

describe("malformed webhook-id headers", () => {
  it("refuses an over-long or non-ASCII webhook-id with a clear 400, not a signature failure", async () => {
    refused(await send({ webhookId: "m".repeat(201) }), 400, "webhook-id");
    // Correctly signed (over the id's UTF-8 bytes, as a sender would), yet not a usable id.
    const r = await send({ webhookId: "msg_\u00e9t\u00e9" });
    refused(r, 400, "webhook-id");
    expect(r.body.error).toMatch(/webhook-id header must be printable ASCII/);
    refused(await send({ webhookId: "msg\ttab" }), 400, "webhook-id");
  });
});

describe("signatures over the raw bytes", () => {
  it("verifies the bytes as sent, then refuses a body that is not valid UTF-8 with 400", async () => {
    const text = JSON.stringify(edit(valid("ticketing"), ["data", "subject"], "SUBJ").body);
    const at = Buffer.from(text).indexOf("SUBJ");
    const bytes = Buffer.from(text);
    bytes[at] = 0xff; // an invalid UTF-8 byte inside a string
    const id = `msg_raw_${++seq}`;
    const ts = Math.floor(Date.now() / 1000);
    const key = Buffer.from(SIGNER.ticketing!.slice(6), "base64");
    const sig = "v1," + createHmac("sha256", key).update(`${id}.${ts}.`).update(bytes).digest("base64");
    const r = await send({ body: bytes, webhookId: id, timestamp: ts, signature: sig });
    refused(r, 400);
    expect(r.body.error).toBe("body is not valid UTF-8");
    // The same bytes under a signature of their lossy decoding are a forgery.
    const lossy = "v1," + createHmac("sha256", key).update(`${id}x.${ts}.${bytes.toString("utf8")}`).digest("base64");
    refused(await send({ body: bytes, webhookId: `${id}x`, timestamp: ts, signature: lossy }), 401);
  });

  it("refuses \"__proto__\" property names with 400 at their path instead of dropping them", async () => {
    const text = JSON.stringify(valid("ticketing").body).replace('"accountId"', '"__proto__":{"polluted":true},"accountId"');
    refused(await send({ body: text }), 400, "/data/__proto__");
    const escaped = JSON.stringify(edit(valid("ticketing"), ["data", "extraBag"], { inner: 1 }).body).replace('"inner"', '"\\u005f_proto__"');
    refused(await send({ body: escaped }), 400, "/data/extraBag/__proto__");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("timestamp tolerance of 300 s, both ways", () => {
  const NOW = Date.UTC(2026, 10, 27, 10, 0, 0);
  const now = NOW / 1000;

  beforeAll(() => {
    // A frozen clock makes "exactly 300 s" exact; only Date is faked, timers stay real.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(NOW);
  });
  afterAll(() => vi.useRealTimers());

  it("accepts exactly 300 s in the past and in the future", async () => {
    await accepted(await send({ timestamp: now - 300 }));
    await accepted(await send({ timestamp: now + 300 }));
    await accepted(await send({ timestamp: now - 299 }));
    await accepted(await send({ timestamp: now + 1 }));
  });

  it("refuses 301 s and more, either way", async () => {
    refused(await send({ timestamp: now - 301 }), 401);
    refused(await send({ timestamp: now + 301 }), 401);
    refused(await send({ timestamp: now - 3600 }), 401);
    refused(await send({ timestamp: now + 86_400 }), 401);
    refused(await send({ timestamp: 0 }), 401);
    refused(await send({ timestamp: 99_999_999_999 }), 401);
  });
});

describe("replayed webhook-id", () => {
  it("answers 200 duplicate with the original event id, whatever the body, per source", async () => {
    const ev = valid("ticketing");
    const first = await accepted(await send({ event: ev, webhookId: "msg_replay_1" }));
    duplicate(await send({ event: ev, webhookId: "msg_replay_1" }), first);
    duplicate(await send({ event: edit(ev, ["version"], 2), webhookId: "msg_replay_1" }), first);
    duplicate(await send({ event: ev, webhookId: "msg_replay_1", secret: SECRETS.ticketingOld, timestamp: Math.floor(Date.now() / 1000) - 200 }), first);
    const stored = await t.db.webhookEvent.findUnique({ where: { id: first }, select: { entityVersion: true } });
    expect(stored?.entityVersion).toBe(1);
    // The same id from another source is another delivery.
    await accepted(await send({ event: valid("entitlement"), webhookId: "msg_replay_1" }));
  });

  it("a refused delivery leaves nothing to replay against", async () => {
    const ev = valid("ticketing");
    refused(await send({ event: ev, webhookId: "msg_replay_2", secret: SECRETS.stranger }), 401);
    refusedIds.pop(); // this id is accepted next, on purpose
    await accepted(await send({ event: ev, webhookId: "msg_replay_2" }));
  });
});

describe("content types", () => {
  it("refuses anything but application/json with 415", async () => {
    for (const ct of [null, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonp", "application/xml", "application/vnd.api+json", "json", "text/json", ""]) {
      refused(await send({ contentType: ct }), 415);
    }
  });

  it("accepts parameters and any letter case", async () => {
    await accepted(await send({ contentType: "application/json; charset=utf-8" }));
    await accepted(await send({ contentType: "Application/JSON" }));
  });
});

describe("broken and hostile JSON", () => {
  it("refuses bodies that are not JSON with 400", async () => {
    for (const body of ["{", "", "{'a': 1}", '{"type": "ticket.updated",}', "NaN", "\ufeff{}", '{"a": "tab\tinside"}', "<xml/>", `{"type": "${MARKER}`]) {
      refused(await send({ body }), 400, "");
    }
  });

  it("refuses JSON that is not an envelope with 400", async () => {
    for (const body of ["null", "[]", '"text"', "42", "true", "{}"]) refused(await send({ body }), 400);
  });

  it("refuses deeply nested JSON with 400, without exhausting the stack", async () => {
    const ev = valid("ticketing");
    const deep = (n: number) => "[".repeat(n) + "]".repeat(n);
    const base = JSON.stringify(ev.body);
    refused(await send({ body: base.replace('"notes":[', `"notes":[${deep(100_000)},`) }), 400);
    refused(await send({ body: base.replace('"notes":[', `"notes":[${deep(33)},`) }), 400);
    refused(await send({ body: base.replace('"notes":[', `"notes":[${'{"a":'.repeat(1_000)}1${"}".repeat(1_000)},`) }), 400);
  });
});

describe("body size limit of 256 KiB", () => {
  /** A valid ticket whose JSON is exactly `bytes` long (ASCII, so characters are bytes). */
  function ticketOfSize(bytes: number): string {
    const ev = valid("ticketing");
    const notes = Array.from({ length: 16 }, (_, i) => ({ id: `N-${i}`, author: "Load Test", body: "", at: "2026-11-27T01:00:00Z" }));
    ev.body.data.notes = notes;
    const room = bytes - Buffer.byteLength(JSON.stringify(ev.body));
    const each = Math.floor(room / notes.length);
    notes.forEach((n, i) => (n.body = "x".repeat(i === notes.length - 1 ? room - each * (notes.length - 1) : each)));
    const out = JSON.stringify(ev.body);
    expect(Buffer.byteLength(out)).toBe(bytes);
    return out;
  }

  it("accepts a body of exactly 256 KiB", async () => {
    const body = ticketOfSize(MAX_BODY_BYTES);
    const r = await send({ body });
    const id = await accepted(r);
    const row = await t.db.webhookEvent.findUnique({ where: { id }, select: { data: true } });
    expect(JSON.stringify(row!.data).length).toBeGreaterThan(250_000);
  });

  it("refuses one byte more with 413, with or without Content-Length", async () => {
    refused(await send({ body: ticketOfSize(MAX_BODY_BYTES + 1) }), 413);
    refused(await send({ body: ticketOfSize(MAX_BODY_BYTES + 1), contentLength: false }), 413);
    refused(await send({ body: `{"pad":"${MARKER}${"y".repeat(1024 * 1024)}"}`, signature: null }), 413);
    refused(await send({ body: `{"pad":"${"z".repeat(3 * 1024 * 1024)}"}`, contentLength: false }), 413);
  });
});

describe("unknown and disabled sources", () => {
  it("answers 404 for a source that does not exist or is disabled", async () => {
    for (const source of ["unknown", "TICKETING", "ticketing\u0000", "../ticketing", "<script>alert(1)</script>", "ticketing-emea", "x".repeat(300)]) {
      refused(await send({ source, body: `{"marker":"${MARKER}"}` }), 404);
    }
    const admin = { id: "usr_hostile_admin", label: "Hostile Admin", role: "admin" as const };
    await t.db.user.create({ data: { id: admin.id, email: "hostile.admin@example.test", name: admin.label, role: "admin", passwordHash: "x" } });
    const made = await onboardSource(t, { key: TEST_SECRET_KEY, envSecrets: ENV_SECRETS }, admin, { name: "ticketing-emea", kind: "ticketing" });
    await accepted(await send({ source: "ticketing-emea", event: valid("ticketing"), secret: made.secret! }));
    refused(await send({ source: "ticketing-emea", event: valid("ticketing"), secret: SECRETS.ticketingNew }), 401);
    await t.db.source.update({ where: { name: "ticketing-emea" }, data: { enabled: false } });
    t.registry.invalidate();
    refused(await send({ source: "ticketing-emea", event: valid("ticketing"), secret: made.secret! }), 404);
  });
});

const ENVELOPE_FIELDS = [["type"], ["caseId"], ["entity"], ["entity", "kind"], ["entity", "id"], ["version"], ["occurredAt"], ["data"]];

/** docs/api.md's required `data` fields of each source, nested ones included. */
const REQUIRED_DATA: Record<SourceKind, (string | number)[][]> = {
  ticketing: [
    ["accountId"], ["customerName"], ["subject"], ["status"], ["severity"], ["productArea"], ["reproduction"], ["notes"],
    ["reproduction", "status"], ["reproduction", "steps"], ["notes", 0, "id"], ["notes", 0, "author"], ["notes", 0, "body"], ["notes", 0, "at"],
  ],
  entitlement: [["accountId"], ["serviceTier"], ["status"], ["contractId"], ["validUntil"]],
  incident: [["incidentId"], ["title"], ["severity"], ["status"], ["classification"], ["affectedAccounts"], ["caseIds"]],
  diagnostics: [
    ["bundleId"], ["uri"], ["sha256"], ["sizeBytes"], ["integrity"], ["approval"], ["logs"],
    ["approval", "status"], ["logs", 0, "name"], ["logs", 0, "uri"], ["logs", 0, "sha256"], ["logs", 0, "sizeBytes"],
  ],
  environment: [
    ["environmentId"], ["productVersion"], ["deployment"], ["os"], ["region"], ["components"], ["capturedAt"],
    ["components", 0, "name"], ["components", 0, "version"],
  ],
};

const OPTIONAL_DATA: Record<SourceKind, (string | number)[][]> = {
  ticketing: [["declaredServiceTier"], ["environmentId"]],
  entitlement: [["correction"], ["correction", "reason"]],
  incident: [],
  diagnostics: [["supersedes"], ["approval", "by"], ["approval", "at"]],
  environment: [],
};

describe("envelope fields", () => {
  it.each(KINDS)("%s: each required envelope field missing in turn is a 400 naming it", async (kind) => {
    for (const path of ENVELOPE_FIELDS) refused(await send({ event: edit(valid(kind), path) }), 400, "/" + path.join("/"));
  });

  it.each(KINDS)("%s: wrong envelope values are a 400 naming the field", async (kind) => {
    const other = kind === "ticketing" ? "incident.updated" : "ticket.updated";
    refused(await send({ event: edit(valid(kind), ["type"], other) }), 400, "/type");
    refused(await send({ event: edit(valid(kind), ["entity", "kind"], "case") }), 400, "/entity/kind");
    refused(await send({ event: edit(valid(kind), ["version"], 0) }), 400, "/version");
    refused(await send({ event: edit(valid(kind), ["version"], 1.5) }), 400, "/version");
    refused(await send({ event: edit(valid(kind), ["version"], "7") }), 400, "/version");
    refused(await send({ event: edit(valid(kind), ["version"], 2 ** 31) }), 400, "/version");
    refused(await send({ event: edit(valid(kind), ["occurredAt"], "yesterday") }), 400, "/occurredAt");
    refused(await send({ event: edit(valid(kind), ["occurredAt"], "2026-11-27T02:10:00") }), 400, "/occurredAt");
    refused(await send({ event: edit(valid(kind), ["caseId"], "") }), 400, "/caseId");
    refused(await send({ event: edit(valid(kind), ["priority"], "high") }), 400);
    refused(await send({ event: edit(valid(kind), ["data"], []) }), 400, "/data");
    if (kind !== "entitlement") refused(await send({ event: edit(valid(kind), ["caseId"], "*") }), 400, "/caseId");
    if (kind !== "ticketing") {
      const key = { entitlement: "accountId", incident: "incidentId", diagnostics: "bundleId", environment: "environmentId" }[kind];
      refused(await send({ event: edit(valid(kind), ["entity", "id"], "SOMETHING-ELSE") }), 400, `/data/${key}`);
    }
  });

  it("accepts an entitlement for every case of the account (caseId \"*\")", async () => {
    await accepted(await send({ event: edit(valid("entitlement"), ["caseId"], "*") }));
  });
});

describe("data fields", () => {
  it.each(KINDS)("%s: each required data field missing in turn is a 400 naming it", async (kind) => {
    for (const path of REQUIRED_DATA[kind]) refused(await send({ event: edit(valid(kind), ["data", ...path]) }), 400, "/data/" + path.join("/"));
  });

  it.each(KINDS.filter((k) => OPTIONAL_DATA[k].length))("%s: optional data fields may be absent", async (kind) => {
    for (const path of OPTIONAL_DATA[kind]) await accepted(await send({ event: edit(valid(kind), ["data", ...path]) }));
  });

  const WRONG: Record<SourceKind, [(string | number)[], unknown][]> = {
    ticketing: [
      [["status"], "escalated"], [["severity"], "S5"], [["severity"], "s1"], [["accountId"], 42], [["notes"], "none"],
      [["reproduction", "status"], "done"], [["notes", 0, "at"], "yesterday"], [["customerName"], ""], [["subject"], "s".repeat(1001)],
      [["productArea"], null], [["environmentId"], 7], [["reproduction"], "steps"], [["notes", 0], "a note"],
    ],
    entitlement: [
      [["status"], "cancelled"], [["serviceTier"], 3], [["validUntil"], "next year"], [["correction"], "none"],
      [["correction", "reason"], 5], [["accountId"], ""], [["contractId"], ["CTR-1"]],
    ],
    incident: [
      [["severity"], "critical"], [["status"], "closed"], [["affectedAccounts"], "ACC-1"], [["caseIds"], [1, 2]], [["title"], {}], [["classification"], false],
    ],
    diagnostics: [
      [["integrity"], "corrupt"], [["sizeBytes"], -1], [["sizeBytes"], 1.5], [["sizeBytes"], "100"], [["approval", "status"], "approved"],
      [["logs", 0, "sizeBytes"], null], [["uri"], ""], [["logs"], {}], [["approval", "at"], "last week"],
    ],
    environment: [
      [["deployment"], "on_prem"], [["components"], "api"], [["components", 0, "version"], 5], [["capturedAt"], 12345], [["region"], []], [["components", 0, "name"], ""],
    ],
  };

  it.each(KINDS)("%s: wrong types and enum values are a 400 naming the field", async (kind) => {
    for (const [path, value] of WRONG[kind]) {
      refused(await send({ event: edit(valid(kind), ["data", ...path], value) }), 400, "/data/" + path.join("/"));
    }
  });

  // docs/api.md: data may carry properties beyond its shapes; they are stored with the event as sent.
  const EXTRA: Record<SourceKind, (string | number)[]> = {
    ticketing: ["reproduction", "environmentName"],
    entitlement: ["correction", "ticketRef"],
    incident: ["commander"],
    diagnostics: ["approval", "channel"],
    environment: ["components", 0, "vendor"],
  };

  it.each(KINDS)("%s: properties beyond the data shape, top-level and nested, are accepted and stored verbatim", async (kind) => {
    let ev = edit(valid(kind), ["data", "customerImpact"], { level: "high", users: [1, 2], note: "Ünïcode ☕", flag: false, none: null });
    ev = edit(ev, ["data", ...EXTRA[kind]], "extra");
    const id = await accepted(await send({ event: ev }));
    const row = await t.db.webhookEvent.findUniqueOrThrow({ where: { id }, select: { data: true } });
    expect(row.data).toEqual(ev.body.data);
    expect((row.data as Record<string, unknown>).customerImpact).toEqual({ level: "high", users: [1, 2], note: "Ünïcode ☕", flag: false, none: null });
  });
});

describe("properties beyond the documented shapes", () => {
  // docs/api.md: `data` may carry properties a source added before the record maps them; they are stored with the event.
  const EXTRA: Record<SourceKind, (string | number)[][]> = {
    ticketing: [["priority"], ["reproduction", "environment"], ["notes", 0, "visibility"]],
    entitlement: [["region"], ["correction", "ticket"]],
    incident: [["impact"]],
    diagnostics: [["collector"], ["approval", "channel"], ["logs", 0, "compression"]],
    environment: [["cluster"], ["components", 0, "build"]],
  };

  it.each(KINDS)("%s: extra properties in data, at any level, are accepted and stored verbatim", async (kind) => {
    let ev = valid(kind);
    if (kind === "diagnostics") ev = edit(ev, ["data", "logs"], [{ name: "app.log", uri: "s3://b/app.log", sha256: "ab", sizeBytes: 1 }]);
    if (kind === "environment") ev = edit(ev, ["data", "components"], [{ name: "api", version: "1" }]);
    for (const path of EXTRA[kind]) ev = edit(ev, ["data", ...path], { added: "later", n: [1, 2] });
    const id = await accepted(await send({ event: ev }));
    const row = await t.db.webhookEvent.findUnique({ where: { id }, select: { data: true } });
    expect(row!.data).toEqual(ev.body.data);
  });

  it("still refuses properties beyond the envelope's", async () => {
    refused(await send({ event: edit(valid("ticketing"), ["priority"], "P1") }), 400, "/");
    refused(await send({ event: edit(valid("ticketing"), ["entity", "source"], "crm") }), 400, "/entity");
  });
});

describe("text content", () => {
  async function stored(eventId: string) {
    return (await t.db.webhookEvent.findUnique({ where: { id: eventId }, select: { data: true, caseId: true } }))!;
  }

  it("stores unicode, control characters, SQL and script text verbatim", async () => {
    const texts = [
      "Zürich Straße — café ☕ 日本語 עברית العربية 👩🏽‍💻",
      "e\u0301\u0301\u0301 combining marks and \u200b zero width",
      "controls \u0001\u0002\u001f\u007f and separators \u2028\u2029",
      "'; DROP TABLE \"WebhookEvent\"; --",
      "Robert'); DELETE FROM \"Refusal\" WHERE ('1'='1",
      "<script>alert(document.cookie)</script><img src=x onerror=alert(1)>",
      "{{constructor.constructor('return process')()}} ${7*7} %s%n",
      "__proto__",
    ];
    for (const text of texts) {
      const ev = edit(edit(valid("ticketing"), ["data", "subject"], text), ["data", "notes", 0, "body"], text);
      const id = await accepted(await send({ event: ev }));
      const row = await stored(id);
      expect((row.data as { subject: string }).subject).toBe(text);
      expect(row.data).toEqual(ev.body.data);
    }
    const sqlCase = "CASE-1'; DROP TABLE \"Case\"; --";
    const id = await accepted(await send({ event: edit(valid("ticketing"), ["caseId"], sqlCase), webhookId: `msg_'; DROP TABLE "WebhookEvent"; --` }));
    expect((await stored(id)).caseId).toBe(sqlCase);
    expect(await t.db.case.count()).toBe(0); // the table is still there (and nothing was refreshed)
  });

  it("refuses NUL characters and unpaired surrogates, which the database cannot store", async () => {
    refused(await send({ event: edit(valid("ticketing"), ["data", "subject"], "before\u0000after") }), 400, "/data/subject");
    refused(await send({ event: edit(valid("ticketing"), ["data", "notes", 0, "body"], "\u0000") }), 400, "/data/notes/0/body");
    refused(await send({ event: edit(valid("environment"), ["data", "os"], "linux\ud800") }), 400, "/data/os");
    refused(await send({ event: edit(valid("incident"), ["data", "title"], "\udc00 lone low surrogate") }), 400, "/data/title");
    const withKey = JSON.stringify(valid("ticketing").body).replace('"accountId"', '"bad\\u0000key":1,"accountId"');
    refused(await send({ body: withKey }), 400);
  });

  it("checks string lengths at and beyond their limits", async () => {
    await accepted(await send({ event: edit(valid("ticketing"), ["data", "subject"], "s".repeat(1000)) }));
    refused(await send({ event: edit(valid("ticketing"), ["data", "subject"], "s".repeat(1001)) }), 400, "/data/subject");
    await accepted(await send({ event: edit(valid("ticketing"), ["data", "notes", 0, "body"], "b".repeat(20_000)) }));
    refused(await send({ event: edit(valid("ticketing"), ["data", "notes", 0, "body"], "b".repeat(20_001)) }), 400, "/data/notes/0/body");
    await accepted(await send({ event: edit(valid("ticketing"), ["caseId"], "C".repeat(200)) }));
    refused(await send({ event: edit(valid("ticketing"), ["caseId"], "C".repeat(201)) }), 400, "/caseId");
    refused(await send({ event: edit(valid("ticketing"), ["entity", "id"], "T".repeat(201)) }), 400, "/entity/id");
    refused(await send({ event: edit(valid("ticketing"), ["data", "customerName"], "n".repeat(501)) }), 400, "/data/customerName");
    refused(await send({ event: edit(valid("ticketing"), ["caseId"], "   ") }), 400, "/caseId");
  });
});

describe("rate limit", () => {
  it("answers 429 with Retry-After beyond a source's limit, and stores nothing for it", async () => {
    const admin = { id: "usr_hostile_admin", label: "Hostile Admin", role: "admin" as const };
    const made = await onboardSource(t, { key: TEST_SECRET_KEY, envSecrets: ENV_SECRETS }, admin, { name: "rate-probe", kind: "environment", rateLimitPerSec: 1, rateLimitBurst: 1 });
    let limited = 0;
    let ok = 0;
    for (let i = 0; i < 30 && limited < 5; i++) {
      const r = await send({ source: "rate-probe", event: valid("environment"), secret: made.secret! });
      if (r.status === 429) {
        refused(r, 429);
        limited++;
      } else {
        await accepted(r);
        ok++;
      }
    }
    expect(ok).toBeGreaterThanOrEqual(1);
    expect(limited).toBe(5);
  });

  it("counts only validly signed deliveries: forged ones are refused with 401 and leave the limit unspent", async () => {
    const admin = { id: "usr_hostile_admin", label: "Hostile Admin", role: "admin" as const };
    const made = await onboardSource(t, { key: TEST_SECRET_KEY, envSecrets: ENV_SECRETS }, admin, { name: "rate-forged", kind: "environment", rateLimitPerSec: 1, rateLimitBurst: 1 });
    for (let i = 0; i < 10; i++) {
      refused(await send({ source: "rate-forged", event: valid("environment"), secret: SECRETS.stranger }), 401);
      refused(await send({ source: "rate-forged", event: valid("environment"), signature: null }), 401);
    }
    // The one token of the window is still there for the source's own delivery.
    await accepted(await send({ source: "rate-forged", event: valid("environment"), secret: made.secret! }));
  });
});

describe("junk costs nothing", () => {
  it("identical refusals within a minute share one counted row, listed with their count", async () => {
    // A fresh per-address window and a minute of its own: earlier tests' refusals must not share its rows.
    setRefusalBudget(1_000_000);
    const frozen = Date.now() + 10 * 60_000;
    const clock = vi.spyOn(Date, "now").mockImplementation(() => frozen);
    try {
      const rowsBefore = await t.db.refusal.count();
      for (let i = 0; i < 50; i++) refused(await send({ source: "no-such-source", body: "{}", timestamp: Math.floor(Date.now() / 1000) }), 404);
      expect(await t.db.refusal.count()).toBe(rowsBefore + 1);
      const rows = await t.db.refusal.findMany({ where: { sourceName: "no-such-source" }, select: { count: true } });
      expect(rows.reduce((n, r) => n + r.count, 0)).toBe(50);
      const { listRefusals } = await import("../events/list-refusals");
      const page = await listRefusals(t.db, { source: "no-such-source", pageSize: 10 });
      expect(page.rows).toHaveLength(1);
      expect(page.rows[0]).toMatchObject({ httpStatus: 404, reason: 'unknown source "no-such-source"', count: 50 });
    } finally {
      clock.mockRestore();
    }
  });

  it("unverified refusals are throttled per address: 429 beyond the budget, one row for the rest of the minute", async () => {
    setRefusalBudget(20);
    // One minute's budget: on a loaded machine 200 requests can straddle a minute's turn, which
    // opens a fresh budget (40 answered 404 in CI). The clock stands still for the loop.
    const frozen = Date.now();
    const clock = vi.spyOn(Date, "now").mockImplementation(() => frozen);
    try {
      const rowsBefore = await t.db.refusal.count();
      const statuses: number[] = [];
      // Each request a different unknown source: without the budget, a row each.
      for (let i = 0; i < 200; i++) {
        const r = await send({ source: `junk-${i}`, body: "{}" });
        statuses.push(r.status);
        refused(r, r.status);
      }
      expect(statuses.filter((s) => s === 404)).toHaveLength(20);
      expect(statuses.filter((s) => s === 429)).toHaveLength(180);
      // 20 rows for the budget, one shared row for the 180 throttled (two if the minute turned).
      expect(await t.db.refusal.count()).toBeLessThanOrEqual(rowsBefore + 22);
      const throttled = await t.db.refusal.aggregate({ where: { httpStatus: 429, reason: { contains: "too many refused" } }, _sum: { count: true } });
      expect(throttled._sum.count).toBe(180);
      // A validly signed delivery from the same address is still accepted: only refusals are budgeted.
      await accepted(await send({ event: valid("ticketing") }));
    } finally {
      clock.mockRestore();
      setRefusalBudget(1_000_000);
    }
  });
});

describe("refusal rows are keyed by what the server decides, not by what the sender words", () => {
  it("varying Content-Type, length, source name or signature text adds no rows: one per reason and minute", async () => {
    setRefusalBudget(1_000_000);
    // A minute no other test uses, so the rows counted are this test's own.
    const frozen = Date.now() + 20 * 60_000;
    const clock = vi.spyOn(Date, "now").mockImplementation(() => frozen);
    try {
      const rowsBefore = await t.db.refusal.count();
      const totalBefore = await refusalTotal();
      for (let i = 0; i < 30; i++) {
        refused(await send({ source: `made-up-${i}`, body: "{}" }), 404);
        refused(await send({ event: valid("ticketing"), contentType: `text/x-${i}` }), 415);
        refused(await send({ event: valid("ticketing"), contentLength: 300_000 + i }), 413);
        refused(await send({ event: valid("ticketing"), timestamp: String(Math.floor(frozen / 1000) - 400 - i) }), 401);
      }
      // Four reasons from one address in one minute: four rows, 120 refusals counted.
      expect(await t.db.refusal.count()).toBe(rowsBefore + 4);
      expect(await refusalTotal()).toBe(totalBefore + 120);
      // Each row keeps a sample of what was refused, bounded.
      const unknown = await t.db.refusal.findFirstOrThrow({ where: { httpStatus: 404, sourceName: "made-up-0" } });
      expect(unknown).toMatchObject({ reason: 'unknown source "made-up-0"', count: 30 });
    } finally {
      clock.mockRestore();
    }
  });

  it("an IPv6 sender's whole /64 shares one refusal budget", async () => {
    setRefusalBudget(20);
    const frozen = Date.now();
    const clock = vi.spyOn(Date, "now").mockImplementation(() => frozen);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) {
        const r = await send({ source: `v6-junk-${i}`, body: "{}", remoteAddr: `2001:db8:5:5::${(i + 1).toString(16)}` });
        statuses.push(r.status);
        refused(r, r.status);
      }
      expect(statuses.filter((s) => s === 404)).toHaveLength(20);
      expect(statuses.filter((s) => s === 429)).toHaveLength(20);
      // Another /64 has its own budget.
      refused(await send({ source: "v6-junk-other", body: "{}", remoteAddr: "2001:db8:5:6::1" }), 404);
    } finally {
      clock.mockRestore();
      setRefusalBudget(1_000_000);
    }
  });
});

describe("what the database holds afterwards", () => {
  it("has one event row per acceptance, one Refusal row per refusal, and nothing for refused ids", async () => {
    expect(tally.requests).toBeGreaterThanOrEqual(150);
    expect([...tally.statuses].every((s) => [200, 202, 400, 401, 404, 413, 415, 429].includes(s))).toBe(true);
    expect([...tally.statuses].sort((a, b) => a - b)).toEqual([200, 202, 400, 401, 404, 413, 415, 429]);
    expect(await t.db.webhookEvent.count()).toBe(tally.accepted);
    expect(await refusalTotal()).toBe(tally.refused);
    const byStatus = await t.db.refusal.groupBy({ by: ["httpStatus"], _sum: { count: true } });
    expect(Object.fromEntries(byStatus.map((r) => [r.httpStatus, r._sum.count]))).toEqual(tally.refusedByStatus);
    expect(await t.db.refusal.count({ where: { reason: "" } })).toBe(0);
    // Refused ids are unique to their request (source names with NUL cannot even be queried).
    const ids = refusedIds.map((r) => r.webhookId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(await t.db.webhookEvent.count({ where: { webhookId: { in: ids } } })).toBe(0);
    const sample = refusedIds.find((r) => r.source === "ticketing")!;
    await expect(getEventStatus(t.db, sample.source, sample.webhookId)).rejects.toMatchObject({ code: "NOT_FOUND" });
    // Unverified bodies never reach the intake log (only verified ones are parsed and explained).
    const unverified = await t.db.refusal.findMany({ where: { httpStatus: { not: 400 } } });
    expect(JSON.stringify(unverified)).not.toContain(MARKER);
    // Nothing was refreshed: intake only stores.
    expect(await t.db.recordVersion.count()).toBe(0);
  });
});
