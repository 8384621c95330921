/**
 * The bounded byte buffers a command's output is read into: the most recent
 * bytes of stdout and stderr combined ({@link TailBuffer}), and the start of
 * stdout alone, where a Nagios plugin puts its status line
 * ({@link HeadBuffer}). Each keeps at most `limit` bytes and counts every
 * byte written, so a program that prints gigabytes costs at most `limit`
 * bytes of memory.
 *
 * @module
 */

/** A store of `limit` bytes, and a count of every byte written, kept or not. */
abstract class BoundedBuffer {
  protected readonly store: Uint8Array;
  #total = 0;

  constructor(readonly limit: number) {
    this.store = new Uint8Array(Math.max(0, limit));
  }

  /** How many bytes were written in total, kept or not. */
  get total(): number {
    return this.#total;
  }

  /** Counts `chunk` and keeps what fits. Copies: `chunk` may be reused. */
  write(chunk: Uint8Array): void {
    this.#total += chunk.length;
    this.keep(chunk);
  }

  /** The kept bytes decoded as UTF-8 (a character cut at the edge becomes U+FFFD). */
  text(): string {
    return new TextDecoder().decode(this.bytes());
  }

  /** The kept bytes in order. */
  abstract bytes(): Uint8Array;

  /** Keeps what fits of `chunk`. */
  protected abstract keep(chunk: Uint8Array): void;
}

/**
 * Keeps the first `limit` bytes of everything written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HeadBuffer } from "./output_buffers.ts";
 * const head = new HeadBuffer(4);
 * head.write(new TextEncoder().encode("hel"));
 * head.write(new TextEncoder().encode("lo"));
 * assert.equal(head.text(), "hell");
 * assert.equal(head.total, 5);
 * ```
 */
export class HeadBuffer extends BoundedBuffer {
  #length = 0;

  /** The kept bytes (a view, not a copy). */
  bytes(): Uint8Array {
    return this.store.subarray(0, this.#length);
  }

  protected keep(chunk: Uint8Array): void {
    const room = this.store.length - this.#length;
    if (room <= 0) return;
    const bytes = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.store.set(bytes, this.#length);
    this.#length += bytes.length;
  }
}

/**
 * Keeps the last `limit` bytes of everything written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TailBuffer } from "./output_buffers.ts";
 * const tail = new TailBuffer(4);
 * tail.write(new TextEncoder().encode("hello"));
 * assert.equal(tail.text(), "ello");
 * assert.equal(tail.total, 5);
 * ```
 */
export class TailBuffer extends BoundedBuffer {
  #start = 0;
  #length = 0;

  /** The kept bytes in order (a copy). */
  bytes(): Uint8Array {
    const size = this.store.length;
    const head = this.store.subarray(this.#start, Math.min(size, this.#start + this.#length));
    const out = new Uint8Array(this.#length);
    out.set(head, 0);
    out.set(this.store.subarray(0, this.#length - head.length), head.length);
    return out;
  }

  /** Appends, dropping the oldest bytes beyond the limit. */
  protected keep(chunk: Uint8Array): void {
    const size = this.store.length;
    if (size === 0 || chunk.length === 0) return;
    const bytes = chunk.length > size ? chunk.subarray(chunk.length - size) : chunk;
    // Copy in at most two blocks: up to the physical end, then from index 0.
    const end = (this.#start + this.#length) % size;
    const first = Math.min(bytes.length, size - end);
    this.store.set(bytes.subarray(0, first), end);
    this.store.set(bytes.subarray(first), 0);
    const overflow = this.#length + bytes.length - size;
    if (overflow > 0) {
      this.#start = (this.#start + overflow) % size;
      this.#length = size;
    } else {
      this.#length += bytes.length;
    }
  }
}
