import net from "node:net";
import type { SignedRequest } from "../dev/simulator/sign";

/**
 * A lean HTTP/1.1 sender for the overload benchmark: keep-alive sockets that each carry one request
 * at a time (as a source system's client would, no pipelining), with every request's bytes built
 * beforehand and answers read by a minimal parser (status line, Content-Length, Retry-After).
 *
 * Why not node:http: at twice the app's capacity the generator sends 5,000-10,000 requests a second
 * on the same two cores as the app and the database. node:http's client costs some 50 µs of CPU a
 * request; the generator's loop fell behind, thousands of its requests waited in its own queue
 * (up to 3,586 open), and that wait was counted as the app's acknowledgement latency. This client
 * costs a write and a read a request, so what is measured is the app.
 */
export interface RawAnswer {
  status: number;
  retryAfter: number;
  /** When the request's bytes were handed to the socket (performance.now()): after any wait for a free connection. */
  writtenAt: number;
}

/** The request's bytes, as node:http would send them (Host, the signed headers, Content-Length, the body). */
export function requestBytes(req: SignedRequest): Buffer {
  const url = new URL(req.url);
  const body = Buffer.from(req.body);
  let head = `POST ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\nconnection: keep-alive\r\n`;
  for (const [k, v] of Object.entries(req.headers)) head += `${k}: ${v}\r\n`;
  head += `content-length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), body]);
}

interface Pending {
  bytes: Buffer;
  writtenAt?: number;
  resolve: (a: RawAnswer) => void;
  reject: (e: Error) => void;
}

const CRLFCRLF = Buffer.from("\r\n\r\n");

class Connection {
  private socket: net.Socket;
  private buf: Buffer = Buffer.alloc(0);
  private current: Pending | null = null;
  closed = false;
  /** Resolves once the TCP connection is established. */
  readonly connected: Promise<void>;

  constructor(
    host: string,
    port: number,
    private readonly onIdle: (c: Connection) => void,
    private readonly onClosed: (c: Connection) => void,
  ) {
    this.socket = net.connect({ host, port, noDelay: true });
    this.connected = new Promise((resolve) => this.socket.once("connect", () => resolve()));
    this.socket.on("data", (d) => this.onData(d));
    this.socket.on("error", () => {});
    this.socket.on("close", () => {
      this.closed = true;
      const p = this.current;
      this.current = null;
      p?.reject(new Error("connection closed"));
      this.onClosed(this);
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  send(p: Pending): void {
    this.current = p;
    p.writtenAt = performance.now();
    this.socket.write(p.bytes);
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    for (;;) {
      const end = this.buf.indexOf(CRLFCRLF);
      if (end < 0) return;
      const head = this.buf.toString("latin1", 0, end);
      const lengthMatch = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      const length = lengthMatch ? Number(lengthMatch[1]) : 0;
      if (this.buf.length < end + 4 + length) return;
      this.buf = this.buf.subarray(end + 4 + length);
      const status = Number(head.slice(9, 12));
      const retry = /\r\nretry-after:\s*(\d+)/i.exec(head);
      const close = /\r\nconnection:\s*close/i.test(head);
      const p = this.current;
      this.current = null;
      p?.resolve({ status, retryAfter: retry ? Number(retry[1]) : 0, writtenAt: p.writtenAt ?? 0 });
      if (close) {
        this.socket.destroy();
        return;
      }
      this.onIdle(this);
    }
  }
}

/** Up to `maxConnections` keep-alive sockets to one server; requests beyond them wait their turn here (and that wait counts). */
export class RawPool {
  private idle: Connection[] = [];
  private open = 0;
  private queue: Pending[] = [];
  /** Most requests waiting or in flight at once. */
  maxOutstanding = 0;
  /** Requests that waited for a connection to come free (every one busy and no more allowed). */
  waitedForConnection = 0;
  private outstanding = 0;

  constructor(
    private readonly url: string,
    private readonly maxConnections = 1024,
  ) {}

  send(bytes: Buffer): Promise<RawAnswer> {
    this.outstanding++;
    this.maxOutstanding = Math.max(this.maxOutstanding, this.outstanding);
    return new Promise<RawAnswer>((resolve, reject) => {
      const p: Pending = {
        bytes,
        resolve: (a) => {
          this.outstanding--;
          resolve(a);
        },
        reject: (e) => {
          this.outstanding--;
          reject(e);
        },
      };
      const c = this.idle.pop();
      if (c) c.send(p);
      else if (this.open < this.maxConnections) this.connect().send(p);
      else {
        this.waitedForConnection++;
        this.queue.push(p);
      }
    });
  }

  private connect(): Connection {
    const { hostname, port } = new URL(this.url);
    this.open++;
    return new Connection(
      hostname,
      Number(port),
      (c) => {
        const next = this.queue.shift();
        if (next) c.send(next);
        else this.idle.push(c);
      },
      (c) => {
        this.open--;
        this.idle = this.idle.filter((x) => x !== c);
        const next = this.queue.shift();
        if (next) this.connect().send(next);
      },
    );
  }

  /** Opens `n` connections now (up to the maximum) and waits until each is established. */
  async warm(n: number): Promise<void> {
    const opened: Promise<void>[] = [];
    for (let i = 0; i < n && this.open < this.maxConnections; i++) {
      const c = this.connect();
      opened.push(c.connected);
      this.idle.push(c);
    }
    await Promise.all(opened);
  }

  close(): void {
    for (const c of this.idle) c.destroy();
    this.idle = [];
  }
}
