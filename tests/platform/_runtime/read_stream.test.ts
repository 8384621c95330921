// Reading standard input (src/platform/_runtime/read_stream.ts): a stream is
// read to its end as UTF-8 across chunks, and one longer than the cap fails
// with EFBIG without being read to its end.

import assert from "node:assert/strict";
import { test } from "node:test";
import { readStream } from "../../../src/platform/_runtime/read_stream.ts";
import { PlatformError } from "../../../src/platform/platform_error.ts";

/** A stream of `chunks`, then its end; counts the chunks pulled. */
function streamOf(
  chunks: Uint8Array[],
): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let next = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next < chunks.length) controller.enqueue(chunks[next++]!);
      else controller.close();
    },
  });
  return { stream, pulled: () => next };
}

test("readStream joins the chunks and decodes UTF-8 split across them", async () => {
  const bytes = new TextEncoder().encode("tökén-🔑\n");
  const chunks = [...bytes].map((byte) => Uint8Array.of(byte));
  assert.equal(await readStream(streamOf(chunks).stream, 4096), "tökén-🔑\n");
  assert.equal(await readStream(streamOf([]).stream, 4096), "");
});

test("readStream takes exactly maxBytes and fails with EFBIG at one byte more, reading no further", async () => {
  const chunk = new Uint8Array(1024).fill(0x61);
  assert.equal((await readStream(streamOf([chunk, chunk]).stream, 2048)).length, 2048);
  const endless = streamOf(Array.from({ length: 100 }, () => chunk));
  await assert.rejects(
    readStream(endless.stream, 2047),
    (error: unknown) => error instanceof PlatformError && error.code === "EFBIG",
  );
  assert.ok(endless.pulled() <= 4, `pulled ${endless.pulled()} chunks`);
});
