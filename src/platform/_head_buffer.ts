/**
 * A bounded byte buffer that keeps only the first bytes written to it: the
 * start of a command's stdout, where a Nagios plugin puts its status line.
 *
 * @module
 */

/**
 * Keeps the first `limit` bytes of everything written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HeadBuffer } from "./_head_buffer.ts";
 * const head = new HeadBuffer(4);
 * head.write(new TextEncoder().encode("hel"));
 * head.write(new TextEncoder().encode("lo"));
 * assert.equal(head.text(), "hell");
 * assert.equal(head.total, 5);
 * ```
 */
export class HeadBuffer {
  readonly #buffer: Uint8Array;
  #length = 0;
  #total = 0;

  constructor(readonly limit: number) {
    this.#buffer = new Uint8Array(Math.max(0, limit));
  }

  /** How many bytes were written in total, kept or not. */
  get total(): number {
    return this.#total;
  }

  /** Appends bytes until the limit; the rest is counted, not kept. Copies: `chunk` may be reused. */
  write(chunk: Uint8Array): void {
    this.#total += chunk.length;
    const room = this.#buffer.length - this.#length;
    if (room <= 0) return;
    const bytes = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  /** The kept bytes decoded as UTF-8 (a character cut at the end becomes U+FFFD). */
  text(): string {
    return new TextDecoder().decode(this.#buffer.subarray(0, this.#length));
  }
}
