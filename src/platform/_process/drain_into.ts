/**
 * Reading a child's output pipe to its end into a bounded buffer
 * (`output_buffers.ts`), into one reused chunk where the stream allows it,
 * and stopping on an abort or once a cap is reached.
 *
 * @module
 */

/** Where {@link drainInto} writes: a bounded buffer, or several behind one. */
export interface OutputSink {
  write(chunk: Uint8Array): void;
  /** How many bytes were written in total, kept or not. */
  readonly total: number;
}

/** The chunk size of a reader that reuses one buffer. */
const CHUNK = 64 * 1024;

/**
 * One chunk after another from `stream`, into one reused buffer where the
 * stream allows it (a byte stream, as Deno's pipes are): reading a flood then
 * allocates nothing per chunk. Other streams (Bun's pipes) hand out their own.
 * BENCHMARKS.md, "The Kubernetes recipe's memory" (its config has a command
 * check that floods): with this and the 1 MiB output cap, a check running
 * `yes` every second held Deno's RSS 3 MB above idle instead of 77 MB.
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
  tail: OutputSink,
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
