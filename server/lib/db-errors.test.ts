import { createServer, type Server, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { openDb } from "../db/client";
import { isDatabaseUnavailable, isDatabaseUnreachable } from "./db-errors";

/**
 * The shapes below are those seen against a real PostgreSQL server that was stopped, restarted and
 * had its connections terminated (pg directly, and Prisma 7 over @prisma/adapter-pg).
 */
const socket = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5499`), { code, errno: -111, syscall: "connect" });
const server = (code: string, message: string) => Object.assign(new Error(message), { code, severity: "FATAL" });
const prisma = (code: string, cause: Record<string, unknown>) =>
  Object.assign(new Error(`Invalid invocation: ${String(cause.message ?? (cause.kind === "DatabaseNotReachable" ? "Can't reach database server at 127.0.0.1:5499" : cause.kind))}`), { name: "PrismaClientKnownRequestError", code, meta: { driverAdapterError: Object.assign(new Error("adapter"), { cause }) } });

describe("database error classification", () => {
  it("tells connection-level failures from request failures", () => {
    const lost = [
      server("57P01", "terminating connection due to administrator command"),
      new Error("Connection terminated unexpectedly"),
      socket("ECONNRESET"),
      prisma("P2010", { kind: "postgres", code: "57P01", message: "terminating connection due to administrator command" }),
      prisma("P2010", { kind: "ConnectionClosed" }),
      new Error("timeout exceeded when trying to connect"),
      server("08006", "connection failure"),
    ];
    const unreachable = [
      socket("ECONNREFUSED"),
      server("57P03", "the database system is shutting down"),
      prisma("P1001", { kind: "DatabaseNotReachable", host: "127.0.0.1", port: 5499 }),
      prisma("P2010", { kind: "DatabaseNotReachable", host: "127.0.0.1", port: 5499 }),
      new Error("Connection terminated due to connection timeout", { cause: new Error("Connection terminated unexpectedly") }),
      server("08001", "could not establish connection"),
    ];
    const requestFaults = [
      server("23505", "duplicate key value violates unique constraint"),
      prisma("P2002", { kind: "UniqueConstraintViolation" }),
      prisma("P2010", { kind: "postgres", code: "22P02", message: "invalid input syntax for type integer" }),
      new Error("webhook id x was neither stored nor found"),
      null,
      "ECONNREFUSED",
    ];
    expect([...lost, ...unreachable].map(isDatabaseUnavailable)).toEqual([...lost, ...unreachable].map(() => true));
    expect(requestFaults.map(isDatabaseUnavailable)).toEqual(requestFaults.map(() => false));
    // Only a server that takes no connections is an outage; a lost connection fails its own request.
    expect(lost.map(isDatabaseUnreachable)).toEqual(lost.map(() => false));
    expect(unreachable.map(isDatabaseUnreachable)).toEqual(unreachable.map(() => true));
  });

  it("counts a host that accepts but never answers as unreachable, through pg and through Prisma", async () => {
    // A black hole: the TCP handshake succeeds, the PostgreSQL startup message is never answered (a
    // hung server, a saturated host). pg's own connect timeout then fails the connection with the
    // bare message "timeout expired", which must not read as a fault of the request: the refresh
    // worker would count it as one of an event's five attempts (seen under load, when opening a
    // connection took longer than the one-second limit).
    const sockets: Socket[] = [];
    const hole: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => hole.listen(0, "127.0.0.1", resolve));
    const port = (hole.address() as { port: number }).port;
    const handle = await openDb({ databaseUrl: `postgresql://nobody@127.0.0.1:${port}/none`, connectTimeoutMs: 200 });
    try {
      const viaPg = await handle.pool!.query("SELECT 1").then(() => null, (e: unknown) => e);
      const viaPrisma = await handle.db.$queryRawUnsafe("SELECT 1").then(() => null, (e: unknown) => e);
      for (const err of [viaPg, viaPrisma]) {
        expect(err).toBeInstanceOf(Error);
        expect(isDatabaseUnavailable(err)).toBe(true);
        expect(isDatabaseUnreachable(err)).toBe(true);
      }
    } finally {
      for (const s of sockets) s.destroy();
      await handle.close();
      await new Promise((resolve) => hole.close(resolve));
    }
  });
});
