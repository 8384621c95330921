/**
 * A small HTTP/1.1 server over a TCP listener, for Deno. `Deno.serve` (2.9)
 * has no limit on connections, never closes an idle or slow one, and stops
 * for good when `accept` fails with "too many open files": about 1,000 idle
 * connections ended vitals. A health endpoint serves GET and HEAD with small
 * bodies, so this server does only that, with bounds on everything:
 *
 * - a request head must arrive within {@link HEAD_TIMEOUT_MS} of the
 *   connection opening (or of the previous response) and fit in
 *   {@link HEAD_LIMIT} bytes (431 past it);
 * - at most `maxConnections` are open; a new one past that closes the oldest
 *   connection that has no request in progress, so a probe always gets in;
 * - a failed `accept` (descriptors exhausted) is retried after a pause, never
 *   fatal;
 * - a request with a body is answered (the handler gives 413) and its
 *   connection closed, without reading the body.
 *
 * @module
 */

/** How long a connection may take to send a whole request head. */
export const HEAD_TIMEOUT_MS = 10_000;
/** The largest request head (request line and headers) accepted. */
export const HEAD_LIMIT = 16 * 1024;
/** How long to wait before accepting again after `accept` failed. */
const ACCEPT_RETRY_MS = 50;

/** The parts of a TCP connection the server uses (`Deno.Conn` has them). */
export interface Http1Conn {
  read(buffer: Uint8Array): Promise<number | null>;
  write(bytes: Uint8Array): Promise<number>;
  close(): void;
}

/** The parts of a TCP listener the server uses (`Deno.Listener` has them). */
export interface Http1Listener {
  accept(): Promise<Http1Conn>;
  close(): void;
}

/** Options for {@link serveHttp1}. */
export interface Http1Options {
  readonly handler: (request: Request) => Promise<Response>;
  /** The host for request URLs when a request has no Host header. */
  readonly hostname: string;
  /** Connections open at most; past it the oldest idle one is closed. */
  readonly maxConnections: number;
}

/** A running server. */
export interface Http1Server {
  /** Stops accepting, lets requests in progress finish for `graceMs`, then closes everything. */
  shutdown(graceMs: number): Promise<void>;
}

const REASONS: Record<number, string> = {
  200: "OK",
  400: "Bad Request",
  401: "Unauthorized",
  404: "Not Found",
  405: "Method Not Allowed",
  413: "Content Too Large",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/1\.([01])$/;
const encoder = new TextEncoder();
const latin1 = new TextDecoder("latin1");

/** The end of the head in `bytes` (the index after CRLF CRLF), or -1. */
function headEnd(bytes: Uint8Array, from: number): number {
  for (let i = Math.max(3, from); i < bytes.length; i++) {
    if (bytes[i] === 10 && bytes[i - 1] === 13 && bytes[i - 2] === 10 && bytes[i - 3] === 13) {
      return i + 1;
    }
  }
  return -1;
}

interface Parsed {
  readonly request: Request;
  /** Whether the connection must close after the response. */
  readonly close: boolean;
}

/** Parses a request head; `undefined` when it is not valid HTTP/1.x. */
function parseHead(head: string, hostname: string): Parsed | undefined {
  const lines = head.slice(0, -4).split("\r\n");
  const line = REQUEST_LINE.exec(lines[0] ?? "");
  if (!line) return undefined;
  const [, method = "", target = "", minor] = line;
  const headers = new Headers();
  for (const field of lines.slice(1)) {
    const colon = field.indexOf(":");
    const name = field.slice(0, colon);
    if (colon <= 0 || !TOKEN.test(name)) return undefined;
    try {
      headers.append(name, field.slice(colon + 1).trim());
    } catch {
      return undefined; // a value no Headers object takes
    }
  }
  const hasBody = (headers.get("content-length") ?? "0") !== "0" ||
    headers.has("transfer-encoding");
  const connection = headers.get("connection")?.toLowerCase() ?? "";
  const close = hasBody || connection.includes("close") ||
    (minor === "0" && !connection.includes("keep-alive"));
  let url: URL;
  try {
    url = target.startsWith("/")
      ? new URL(target, `http://${headers.get("host") || hostname}`)
      : new URL(target);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:") return undefined;
  try {
    return { request: new Request(url, { method, headers }), close };
  } catch {
    return undefined; // a method Request refuses (CONNECT, TRACE)
  }
}

/** Serialises a response, head and body in one buffer. */
async function serialize(response: Response, close: boolean): Promise<Uint8Array> {
  const body = response.body ? new Uint8Array(await response.arrayBuffer()) : new Uint8Array();
  let head = `HTTP/1.1 ${response.status} ${REASONS[response.status] ?? "Unknown"}\r\n`;
  for (const [name, value] of response.headers) head += `${name}: ${value}\r\n`;
  if (!response.headers.has("content-length")) head += `content-length: ${body.length}\r\n`;
  head += close ? "connection: close\r\n\r\n" : "\r\n";
  const bytes = encoder.encode(head);
  const out = new Uint8Array(bytes.length + body.length);
  out.set(bytes);
  out.set(body, bytes.length);
  return out;
}

async function writeAll(conn: Http1Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}

/** One open connection: its state and the timer that bounds its head. */
interface Connection {
  readonly conn: Http1Conn;
  /** A request is being answered: not to be evicted. */
  busy: boolean;
  closed: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
}

const PLAIN_400 = encoder.encode(
  "HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\ncontent-length: 12\r\n" +
    "connection: close\r\n\r\nbad request\n",
);
const PLAIN_431 = encoder.encode(
  "HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain\r\n" +
    "content-length: 32\r\nconnection: close\r\n\r\nrequest header fields too large\n",
);

/**
 * Serves `options.handler` on `listener` until {@link Http1Server.shutdown}.
 *
 * @example
 * ```ts ignore
 * const server = serveHttp1(Deno.listen({ port: 8080 }), { handler, hostname: "0.0.0.0", maxConnections: 512 });
 * await server.shutdown(5_000);
 * ```
 */
export function serveHttp1(listener: Http1Listener, options: Http1Options): Http1Server {
  const open = new Set<Connection>();
  let stopping = false;

  const close = (connection: Connection) => {
    if (connection.closed) return;
    connection.closed = true;
    clearTimeout(connection.timer);
    open.delete(connection);
    try {
      connection.conn.close();
    } catch {
      // Already closed by the peer.
    }
  };

  /** Closes the oldest connection that has no request in progress; whether one was. */
  const evictIdle = (): boolean => {
    for (const connection of open) {
      if (!connection.busy) {
        close(connection);
        return true;
      }
    }
    return false;
  };

  const serveConnection = async (connection: Connection) => {
    let buffer = new Uint8Array(0);
    let scanned = 0;
    const chunk = new Uint8Array(4096);
    const arm = () => {
      clearTimeout(connection.timer);
      connection.timer = setTimeout(() => close(connection), HEAD_TIMEOUT_MS);
    };
    arm();
    try {
      while (!connection.closed) {
        const end = headEnd(buffer, scanned);
        if (end === -1) {
          if (buffer.length > HEAD_LIMIT) return void await writeAll(connection.conn, PLAIN_431);
          scanned = Math.max(0, buffer.length - 3);
          const read = await connection.conn.read(chunk);
          if (read === null) return;
          const grown = new Uint8Array(buffer.length + read);
          grown.set(buffer);
          grown.set(chunk.subarray(0, read), buffer.length);
          buffer = grown;
          continue;
        }
        if (end > HEAD_LIMIT) return void await writeAll(connection.conn, PLAIN_431);
        const parsed = parseHead(latin1.decode(buffer.subarray(0, end)), options.hostname);
        if (!parsed) return void await writeAll(connection.conn, PLAIN_400);
        buffer = buffer.subarray(end);
        scanned = 0;
        connection.busy = true;
        clearTimeout(connection.timer);
        let response: Response;
        try {
          response = await options.handler(parsed.request);
        } catch {
          response = new Response('{"status":"DOWN","details":["internal error"]}', {
            status: 503,
            headers: { "content-type": "application/json" },
          });
        }
        const last = parsed.close || stopping;
        await writeAll(connection.conn, await serialize(response, last));
        connection.busy = false;
        if (last) return;
        arm();
      }
    } catch {
      // Reset by the peer, or closed by a timeout or eviction: nothing to answer.
    } finally {
      close(connection);
    }
  };

  const accepting = (async () => {
    while (!stopping) {
      let conn: Http1Conn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (stopping) return;
        // Out of descriptors (EMFILE) or a connection reset before accept:
        // free one if we can, wait a moment and go on.
        if (!(error instanceof Error && /bad resource|closed/i.test(error.message))) evictIdle();
        await new Promise((resolve) => setTimeout(resolve, ACCEPT_RETRY_MS));
        continue;
      }
      if (stopping) {
        conn.close();
        return;
      }
      if (open.size >= options.maxConnections && !evictIdle()) {
        conn.close(); // every connection is busy: refuse this one
        continue;
      }
      const connection: Connection = { conn, busy: false, closed: false, timer: undefined };
      open.add(connection);
      void serveConnection(connection);
    }
  })();

  return {
    async shutdown(graceMs) {
      stopping = true;
      try {
        listener.close();
      } catch {
        // Already closed.
      }
      await accepting;
      for (const connection of [...open]) if (!connection.busy) close(connection);
      const deadline = performance.now() + graceMs;
      while (open.size > 0 && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      for (const connection of [...open]) close(connection);
    },
  };
}
