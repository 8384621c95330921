/**
 * A minimal HTTP/1.1 burst client for the runner (Deno only): opens C keep-alive
 * connections first, then sends one `GET` on every connection at once and
 * times each full answer from the moment the burst was fired. Raw sockets keep
 * the client's own cost far below `fetch`'s, so the burst measures the server.
 *
 * @module
 */

/** One answer in a burst. */
export interface Answer {
  readonly ms: number;
  readonly status: number;
}

const decoder = new TextDecoder();

/** Reads one response (head plus a `content-length` body) from `conn`. */
async function readResponse(conn: Deno.Conn, buffer: Uint8Array): Promise<number> {
  let text = "";
  for (;;) {
    const n = await conn.read(buffer);
    if (n === null) throw new Error("connection closed before a full answer");
    text += decoder.decode(buffer.subarray(0, n));
    const head = text.indexOf("\r\n\r\n");
    if (head === -1) continue;
    const length = text.slice(0, head).match(/^content-length:\s*(\d+)/im);
    // Bodies here are ASCII JSON, so characters are bytes.
    if (text.length >= head + 4 + Number(length?.[1] ?? 0)) {
      return Number(text.slice(9, 12));
    }
  }
}

/** Open connections to one server, ready for bursts. */
export class BurstClient {
  readonly #conns: Deno.Conn[];
  readonly #buffers: Uint8Array[];

  private constructor(conns: Deno.Conn[]) {
    this.#conns = conns;
    this.#buffers = conns.map(() => new Uint8Array(16384));
  }

  /** Opens `count` connections to 127.0.0.1:`port`. */
  static async open(port: number, count: number): Promise<BurstClient> {
    const conns = await Promise.all(
      Array.from({ length: count }, () => Deno.connect({ hostname: "127.0.0.1", port })),
    );
    return new BurstClient(conns);
  }

  /** Sends `GET path` on every connection at once; answers in connection order. */
  burst(path: string): Promise<Answer[]> {
    const request = new TextEncoder().encode(
      `GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nuser-agent: vitals-bench\r\n\r\n`,
    );
    const t0 = performance.now();
    return Promise.all(this.#conns.map(async (conn, i) => {
      try {
        for (let sent = 0; sent < request.length;) {
          sent += await conn.write(request.subarray(sent));
        }
        const status = await readResponse(conn, this.#buffers[i]!);
        return { ms: performance.now() - t0, status };
      } catch {
        return { ms: performance.now() - t0, status: 0 };
      }
    }));
  }

  close(): void {
    for (const conn of this.#conns) {
      try {
        conn.close();
      } catch {
        // Already closed by the server.
      }
    }
  }
}
