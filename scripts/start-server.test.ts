import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresDatabase, TEST_DB_KIND, TEST_DB_TEMPLATE_ENV } from "../dev/testing/test-db";

/**
 * The real production server (scripts/start.mjs over a production build), asked the requests
 * that used to earn a 500 from Next.js. Needs `npx next build` first; without a build it is skipped.
 * On the suite's own database: the embedded one (TEST_DB=pglite), or a copy of the run's migrated
 * template on the PostgreSQL server (TEST_DB=postgres). Its port is one the system gives free
 * (EDGE_TEST_PORT overrides), so the two suites that scripts/test.mjs runs side by side never clash.
 */
const root = path.resolve(__dirname, "..");
const built = existsSync(path.join(root, ".next", "BUILD_ID"));
let port = 0;
let server: ChildProcess | undefined;
let dataDir = "";
let output = "";
let dropDb: (() => Promise<void>) | undefined;

/** A port nothing listens on right now (the system's pick). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port: p } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(p));
    });
  });
}

/** Waits (bounded) until the server's output shows `pattern`: log lines are written asynchronously. */
async function outputShows(pattern: RegExp): Promise<boolean> {
  for (let i = 0; i < 100 && !pattern.test(output); i++) await new Promise((r) => setTimeout(r, 100));
  return pattern.test(output);
}

/** One raw HTTP/1.1 exchange, so the request target goes out exactly as written. */
function raw(request: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.write(request));
    let data = "";
    let done = false;
    const finish = () => {
      if (done) return;
      const split = data.indexOf("\r\n\r\n");
      if (split === -1) return;
      const [statusLine = "", ...lines] = data.slice(0, split).split("\r\n");
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
      const body = data.slice(split + 4);
      if (Buffer.byteLength(body, "latin1") < Number(headers["content-length"] ?? 0) && !socket.destroyed) return;
      done = true;
      socket.destroy();
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body });
    };
    socket.on("data", (d) => {
      data += d.toString("latin1");
      finish();
    });
    socket.on("error", reject);
    socket.on("close", () => {
      finish();
      if (!done) reject(new Error(`connection closed without a complete answer: ${JSON.stringify(data)}`));
    });
  });
}
const get = (target: string, method = "GET") => raw(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);

describe.skipIf(!built)("production server (scripts/start.mjs)", () => {
  beforeAll(async () => {
    port = Number(process.env.EDGE_TEST_PORT ?? (await freePort()));
    dataDir = mkdtempSync(path.join(os.tmpdir(), "edge-server-"));
    let databaseUrl = "";
    if (TEST_DB_KIND === "postgres") {
      const raw = process.env[TEST_DB_TEMPLATE_ENV];
      const template = raw ? (JSON.parse(raw) as { kind: string; database?: string }) : undefined;
      const db = await createPostgresDatabase(template?.kind === "postgres" ? template.database : undefined);
      databaseUrl = db.url;
      dropDb = db.drop;
    }
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", PORT: String(port), HOST: "127.0.0.1", DATA_DIR: dataDir, DATABASE_URL: databaseUrl, DEMO: "off", IN_PROCESS_WORKER: "off", LOG_LEVEL: "info" };
    delete env.TRUSTED_PROXIES;
    delete env.APP_URL;
    server = spawn(process.execPath, ["scripts/start.mjs"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    server.stdout!.on("data", (d) => (output += d));
    server.stderr!.on("data", (d) => (output += d));
    for (let i = 0; i < 600 && !output.includes("listening on"); i++) await new Promise((r) => setTimeout(r, 100));
    if (!output.includes("listening on")) throw new Error(`server did not start:\n${output}`);
  }, 90_000);
  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once("exit", r));
      server.kill("SIGTERM");
      await exited;
    }
    await dropDb?.();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it("runs on the suite's database", async () => {
    expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(200);
    // The embedded database lives in DATA_DIR/pg (server/db/client.ts); on PostgreSQL it is never created.
    expect(existsSync(path.join(dataDir, "pg"))).toBe(TEST_DB_KIND === "pglite");
  });

  it("answers malformed paths and queries with 400 JSON, never a 5xx", async () => {
    for (const target of ["/api/v1/cases/%E0%A4%A/record", "/api/trpc/records.current%FF", "/api/v1/cases/%ED%A0%80/record", "/api/v1/cases/A%00B/record", "/records?q=%00", "/api/health?x=%E0"]) {
      const r = await get(target);
      expect({ target, status: r.status }).toEqual({ target, status: 400 });
      expect(JSON.parse(r.body).error).toMatch(/percent-encoding|NUL/);
      expect(r.headers["x-content-type-options"]).toBe("nosniff");
    }
  });

  it("answers unsupported methods with 405 and Allow, TRACE and CONNECT included", async () => {
    const trace = await get("/", "TRACE");
    expect(trace.status).toBe(405);
    expect(trace.headers.allow).toBe("GET, HEAD, OPTIONS");
    expect((await get("/api/v1/cases/x/record", "DELETE")).headers.allow).toBe("GET, HEAD, OPTIONS");
    const put = await get("/api/webhooks/ticketing", "PUT");
    expect([put.status, put.headers.allow]).toEqual([405, "POST, OPTIONS"]);
    const connect = await raw(`CONNECT 127.0.0.1:80 HTTP/1.1\r\nHost: 127.0.0.1:80\r\n\r\n`);
    expect(connect.status).toBe(405);
    // Written to the socket by hand, with the same security headers as every other answer.
    expect(connect.headers).toMatchObject({ "x-content-type-options": "nosniff", "x-frame-options": "DENY", "content-security-policy": expect.stringContaining("default-src 'none'") });
    expect(output).not.toMatch(/request failed|TypeError|at .*\.js:\d+/);
  });

  it("puts security headers on redirects", async () => {
    const r = await fetch(`http://127.0.0.1:${port}/records`, { redirect: "manual" });
    expect(r.status).toBe(307);
    expect(r.headers.get("x-frame-options")).toBe("DENY");
    expect(r.headers.get("strict-transport-security")).toContain("max-age=");
    expect(r.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it("answers a garbled request line with 400, not a dropped connection", async () => {
    const r = await raw("GET /\u0001 HTTP/1.1\r\n\r\n");
    expect(r.status).toBe(400);
    expect(r.headers).toMatchObject({ "x-content-type-options": "nosniff", "x-frame-options": "DENY", "strict-transport-security": expect.stringContaining("max-age="), "content-security-policy": expect.stringContaining("default-src 'none'") });
    const big = await raw(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`);
    expect(big.status).toBe(431);
    expect(big.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("ignores forged forwarding headers: the per-address sign-in budget holds, CSRF refuses a forged host", async () => {
    const origin = `http://127.0.0.1:${port}`;
    const signIn = (i: number) =>
      fetch(`${origin}/api/auth/sign-in`, {
        method: "POST",
        headers: { origin, "content-type": "application/json", "x-forwarded-for": `198.51.100.${i}`, "x-real-ip": `198.51.100.${i}` },
        body: JSON.stringify({ email: `spray${i}@example.com`, password: "Winter2026!" }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 51; i++) statuses.push((await signIn(i)).status);
    expect(statuses.slice(0, 50).every((s) => s === 401)).toBe(true);
    expect(statuses[50]).toBe(429);
    // Counted under the socket's address, not the forged ones, and not under "no address" either
    // (which would also have stopped the 51st): each unknown-email refusal logs the address used.
    expect(await outputShows(/"ip":"127\.0\.0\.1","msg":"sign-in refused"/)).toBe(true);
    expect(output).not.toMatch(/"ip":"198\.51\.100\.|"ip":null/);
    const forgedHost = await fetch(`${origin}/api/auth/sign-in`, {
      method: "POST",
      headers: { origin: "https://evil.example", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https", "content-type": "application/json" },
      body: "{}",
    });
    expect(forgedHost.status).toBe(403);
  });

  it("tells anonymous health callers the status only", async () => {
    const r = await fetch(`http://127.0.0.1:${port}/api/health`);
    expect(await r.json()).toEqual({ status: "ok" });
  });

  it("logs an aborted body at info, never as a failure", async () => {
    await new Promise<void>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.write(`POST /api/webhooks/ticketing HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"type":`);
        setTimeout(() => socket.destroy(), 200);
      });
      socket.on("close", () => resolve());
    });
    // Told at info (pino level 30), and never as a failure.
    expect(await outputShows(/"level":30[^\n]*"msg":"client aborted the request body"/)).toBe(true);
    expect(output).not.toMatch(/"level":50|request failed|unhandled error/);
  });
  it("listens with a backlog of 4,096 connections, not Node's 511 (a burst of senders is queued, not dropped)", () => {
    // For a listening socket, ss's Send-Q is its backlog: min(what listen() asked, net.core.somaxconn).
    const somaxconn = Number(readFileSync("/proc/sys/net/core/somaxconn", "utf8").trim());
    const line = execFileSync("ss", ["-ltnH", `sport = :${port}`], { encoding: "utf8" }).trim();
    const backlog = Number(line.split(/\s+/)[2]);
    expect(somaxconn, "this machine caps every backlog at net.core.somaxconn").toBeGreaterThan(511);
    expect(backlog).toBe(Math.min(4096, somaxconn));
  });
  it("keeps an idle keep-alive connection open longer than Node's 5 s, so a client's next request is not reset", async () => {
    const http = await import("node:http");
    const agent = new http.Agent({ keepAlive: true });
    const ask = () =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const req = http.request({ host: "127.0.0.1", port, path: "/api/health", agent }, (res) => {
          res.resume();
          res.on("end", () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
        });
        req.on("error", reject);
        req.end();
      });
    try {
      expect(await ask()).toEqual({ status: 200, reused: false });
      let closed = false;
      const socket = (Object.values(agent.freeSockets)[0] ?? [])[0];
      socket?.once("close", () => (closed = true));
      // Idle past Node's default keepAliveTimeout (5 s) and its 5 s connections check.
      await new Promise((r) => setTimeout(r, 11_000));
      expect(closed, "the server closed an idle keep-alive connection within 11 s").toBe(false);
      expect(await ask()).toEqual({ status: 200, reused: true });
    } finally {
      agent.destroy();
    }
  }, 30_000);
});
