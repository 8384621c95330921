/**
 * One accepted TLS connection (a `node:tls` socket) as the `Http1Conn` that
 * `serveHttp1` reads and writes (`_http1/http1_server.ts`), on Deno and Bun
 * alike.
 *
 * - Backpressure: the socket stays paused except while a `read` waits; each
 *   chunk pauses it again, so at most one chunk is held beyond what the
 *   server has read, however fast the client sends. On Deno 2.9.6 `pause()`
 *   alone does not stop the TCP connection under `node:tls` from reading:
 *   256 MB sent to a paused socket were all read, and the process grew to
 *   574 MB resident (measured). So {@link setReading} also stops and starts
 *   the TCP handle itself, where Deno has one: a client that sends requests
 *   and reads no answer then gets about 4 MB in before it stalls, as on Bun
 *   (tests/platform/_tls/serve_tls.test.ts).
 * - `write` resolves once the socket has taken the bytes, or after `drain`
 *   when its buffer is full; it rejects once the socket is gone.
 * - `close` ends the connection gracefully (the bytes written still go out,
 *   then a close_notify), drops what the client still sends, and destroys it
 *   after {@link CLOSE_GRACE_MS} if it is not closed by then.
 *
 * Every listener only records what happened and wakes the waiting call: none
 * can throw (a throw in an event callback ends the process).
 *
 * @module
 */

import type { TLSSocket } from "node:tls";

/** How long a closed connection may take to send what is left before it is destroyed. */
export const CLOSE_GRACE_MS = 2_000;

/** What Deno 2.9.6's `node:tls` socket holds under it (Bun's has no such handle). */
interface DenoTlsHandle {
  readonly _handle?: {
    readonly _nativeTcpHandle?: { readStart?(): unknown; readStop?(): unknown };
  } | null;
}

/**
 * Resumes or pauses `socket`, and on Deno the TCP handle under its TLS
 * layer, which `pause()` leaves reading (see the module doc). Never throws.
 */
export function setReading(socket: TLSSocket, reading: boolean): void {
  try {
    if (reading) socket.resume();
    else socket.pause();
    const tcp = (socket as unknown as DenoTlsHandle)._handle?._nativeTcpHandle;
    if (reading) tcp?.readStart?.();
    else tcp?.readStop?.();
  } catch {
    // A socket torn down meanwhile: its events say so.
  }
}

/** A TLS connection served by `serveHttp1`. */
export class TlsConn {
  readonly #socket: TLSSocket;
  /** Received and not yet read: `#chunk[#offset..]`. */
  #chunk: Uint8Array | undefined;
  #offset = 0;
  #ended = false;
  /** Closed by the server: what the client still sends is dropped. */
  #closed = false;
  #failure: Error | undefined;
  /** Wakes the one waiting `read` or `write`. */
  #wake: (() => void) | undefined;

  constructor(socket: TLSSocket) {
    this.#socket = socket;
    setReading(socket, false);
    socket.on("data", (chunk: Uint8Array) => {
      try {
        if (this.#closed) return;
        setReading(socket, false);
        if (this.#chunk === undefined) {
          this.#chunk = chunk;
          this.#offset = 0;
        } else {
          // Only when a chunk came after pause(): join, rarely.
          const rest = this.#chunk.subarray(this.#offset);
          const joined = new Uint8Array(rest.length + chunk.length);
          joined.set(rest);
          joined.set(chunk, rest.length);
          this.#chunk = joined;
          this.#offset = 0;
        }
        this.#notify();
      } catch {
        // Nothing here throws; guarded all the same.
      }
    });
    socket.on("end", () => this.#finish(undefined));
    socket.on("close", () => this.#finish(undefined));
    socket.on("error", (error: Error) => this.#finish(error));
    socket.on("drain", () => this.#notify());
  }

  /** The socket ended or failed: wake whoever waits. */
  #finish(error: Error | undefined): void {
    try {
      this.#ended = true;
      this.#failure ??= error;
      this.#notify();
    } catch {
      // Never throws; guarded as every event callback is.
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #waitForEvent(): Promise<void> {
    return new Promise((resolve) => this.#wake = resolve);
  }

  /** The peer's address, as `Deno.Conn`'s (read when a handler asks who is calling). */
  get remoteAddr(): { readonly transport: "tcp"; readonly hostname: string } {
    return { transport: "tcp", hostname: this.#socket.remoteAddress ?? "" };
  }

  /** Reads into `buffer`: the bytes copied, or `null` once the client has ended the connection. */
  async read(buffer: Uint8Array): Promise<number | null> {
    while (this.#chunk === undefined) {
      if (this.#failure) throw this.#failure;
      if (this.#ended) return null;
      const waiting = this.#waitForEvent();
      setReading(this.#socket, true);
      await waiting;
    }
    const rest = this.#chunk.subarray(this.#offset);
    const count = Math.min(rest.length, buffer.length);
    buffer.set(rest.subarray(0, count));
    this.#offset += count;
    if (this.#offset === this.#chunk.length) this.#chunk = undefined;
    return count;
  }

  /** Writes all of `bytes`; waits for `drain` when the socket's buffer is full. */
  async write(bytes: Uint8Array): Promise<number> {
    if (this.#failure) throw this.#failure;
    if (this.#socket.destroyed || this.#socket.writableEnded) {
      throw new Error("Cannot write to the TLS connection: it is closed");
    }
    if (!this.#socket.write(bytes)) {
      while (this.#socket.writableNeedDrain && !this.#ended) await this.#waitForEvent();
      if (this.#failure) throw this.#failure;
    }
    return bytes.length;
  }

  /** Ends the connection after what was written; destroys it if that takes too long. */
  close(): void {
    const socket = this.#socket;
    this.#closed = true;
    this.#chunk = undefined;
    this.#finish(undefined);
    if (socket.destroyed) return;
    try {
      socket.end();
      setReading(socket, true); // read on to the client's end, so the socket closes
    } catch {
      socket.destroy();
      return;
    }
    const timer = setTimeout(() => {
      try {
        socket.destroy();
      } catch {
        // Gone already; a timer callback must not throw.
      }
    }, CLOSE_GRACE_MS);
    (timer as { unref?: () => void }).unref?.();
    socket.once("close", () => clearTimeout(timer));
  }
}
