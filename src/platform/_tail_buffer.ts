/**
 * A bounded byte buffer that keeps only the most recent bytes written to it.
 *
 * Command checks read a child's output through one of these, so a program that
 * prints gigabytes costs at most `limit` bytes of memory.
 *
 * @module
 */

/**
 * Keeps the last `limit` bytes of everything written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TailBuffer } from "./_tail_buffer.ts";
 * const tail = new TailBuffer(4);
 * tail.write(new TextEncoder().encode("hello"));
 * assert.equal(tail.text(), "ello");
 * assert.equal(tail.total, 5);
 * ```
 */
export class TailBuffer {
  readonly #buffer: Uint8Array;
  #start = 0;
  #length = 0;
  #total = 0;

  constructor(readonly limit: number) {
    this.#buffer = new Uint8Array(Math.max(0, limit));
  }

  /** How many bytes were written in total, kept or not. */
  get total(): number {
    return this.#total;
  }

  /** Appends bytes, dropping the oldest ones beyond the limit. */
  write(chunk: Uint8Array): void {
    this.#total += chunk.length;
    const size = this.#buffer.length;
    if (size === 0 || chunk.length === 0) return;
    const bytes = chunk.length > size ? chunk.subarray(chunk.length - size) : chunk;
    // Copy in at most two blocks: up to the physical end, then from index 0.
    const end = (this.#start + this.#length) % size;
    const first = Math.min(bytes.length, size - end);
    this.#buffer.set(bytes.subarray(0, first), end);
    this.#buffer.set(bytes.subarray(first), 0);
    const overflow = this.#length + bytes.length - size;
    if (overflow > 0) {
      this.#start = (this.#start + overflow) % size;
      this.#length = size;
    } else {
      this.#length += bytes.length;
    }
  }

  /** The kept bytes in order. */
  bytes(): Uint8Array {
    const size = this.#buffer.length;
    const head = this.#buffer.subarray(this.#start, Math.min(size, this.#start + this.#length));
    const out = new Uint8Array(this.#length);
    out.set(head, 0);
    out.set(this.#buffer.subarray(0, this.#length - head.length), head.length);
    return out;
  }

  /** The kept bytes decoded as UTF-8 (a character cut at the start becomes U+FFFD). */
  text(): string {
    return new TextDecoder().decode(this.bytes());
  }
}

/** The chunk size of a reader that reuses one buffer. */
const CHUNK = 64 * 1024;

/**
 * One chunk after another from `stream`, into one reused buffer where the
 * stream allows it (a byte stream, as Deno's pipes are): reading a flood then
 * allocates nothing per chunk. Other streams (Bun's pipes) hand out their own.
 */
function chunkReader(stream: ReadableStream<Uint8Array>): {
  read(): Promise<Uint8Array | undefined>;
  cancel(): void;
} {
  let byob: ReadableStreamBYOBReader | undefined;
  try {
    byob = stream.getReader({ mode: "byob" });
  } catch {
    // Not a byte stream.
  }
  if (byob) {
    const reader = byob;
    let buffer = new ArrayBuffer(CHUNK);
    return {
      async read() {
        const { done, value } = await reader.read(new Uint8Array(buffer));
        if (done || !value) return undefined;
        buffer = value.buffer as ArrayBuffer; // handed back, to be filled again
        return value;
      },
      cancel: () => void reader.cancel().catch(() => {}),
    };
  }
  const reader = stream.getReader();
  return {
    async read() {
      const { done, value } = await reader.read();
      return done ? undefined : value;
    },
    cancel: () => void reader.cancel().catch(() => {}),
  };
}

/**
 * Reads a byte stream to its end into `tail`, or until `stop` aborts (then the
 * stream is cancelled, which closes it); calls `full` once `tail` has taken
 * `cap` bytes in all. Never rejects.
 */
export async function drainInto(
  stream: ReadableStream<Uint8Array> | null | undefined,
  tail: Pick<TailBuffer, "write" | "total">,
  stop?: AbortSignal,
  cap = Infinity,
  full: () => void = () => {},
): Promise<void> {
  if (!stream) return;
  const reader = chunkReader(stream);
  // Also an abort listener, which must never throw.
  const cancel = () => {
    try {
      reader.cancel();
    } catch {
      // Released or closed already.
    }
  };
  if (stop?.aborted) cancel();
  stop?.addEventListener("abort", cancel, { once: true });
  try {
    for (;;) {
      const value = await reader.read();
      if (value === undefined) break;
      tail.write(value);
      if (tail.total >= cap) {
        full();
        break;
      }
    }
  } catch {
    // The process was killed or the pipe closed early: keep what arrived.
  } finally {
    stop?.removeEventListener("abort", cancel);
    cancel();
  }
}
