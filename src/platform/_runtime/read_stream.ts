/**
 * `Platform.readStdin` on both runtimes: a byte stream (standard input, as
 * `Deno.stdin.readable` or `Bun.stdin.stream()` gives it) read to its end as
 * UTF-8 text, with a cap, so endless input fails with `EFBIG` instead of
 * filling memory.
 *
 * @module
 */

import { PlatformError } from "../platform_error.ts";

/**
 * The stream's text, read to its end, or a `PlatformError` `EFBIG` once it
 * holds more than `maxBytes` (reading stops there; the stream is cancelled).
 * Invalid UTF-8 becomes U+FFFD.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readStream } from "./read_stream.ts";
 * const stream = new Blob(["s3cret\n"]).stream();
 * assert.equal(await readStream(stream, 4096), "s3cret\n");
 * ```
 */
export async function readStream(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
): Promise<string> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new PlatformError("EFBIG", `more than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  reader.releaseLock();
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return new TextDecoder().decode(bytes);
}
