/**
 * The runtime-neutral half of the platform: watching a child process to its
 * end, and abandoning a pending connect when a signal aborts. Each runtime's
 * file supplies only the calls that differ.
 *
 * @module
 */

import { drainInto, TailBuffer } from "./_tail_buffer.ts";
import type { SpawnOptions, SpawnResult } from "./platform.ts";

/** A started child as each runtime describes it. */
export interface ChildHandle {
  readonly stdout: ReadableStream<Uint8Array> | null;
  readonly stderr: ReadableStream<Uint8Array> | null;
  /** Resolves when the child exits: its code, or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  /** Kills the child's whole process group; must not throw. */
  killGroup(): void;
}

/**
 * Reads a child's output into a bounded tail until it exits, killing its
 * process group when `options.signal` aborts and again once it has exited (so
 * no background descendant outlives the check).
 */
export async function supervise(child: ChildHandle, options: SpawnOptions): Promise<SpawnResult> {
  const kill = () => child.killGroup();
  if (options.signal.aborted) kill();
  options.signal.addEventListener("abort", kill, { once: true });
  const tail = new TailBuffer(options.outputLimit);
  try {
    const [status] = await Promise.all([
      child.exited,
      drainInto(child.stdout, tail),
      drainInto(child.stderr, tail),
    ]);
    return {
      code: status.signal === null ? status.code : null,
      signal: status.signal,
      output: tail.text(),
      outputBytes: tail.total,
    };
  } finally {
    options.signal.removeEventListener("abort", kill);
    kill();
  }
}

/**
 * Waits for `pending` unless `signal` aborts first, in which case it rejects
 * with the signal's reason and hands a late result to `release`.
 */
export async function unlessAborted<T>(
  pending: Promise<T>,
  signal: AbortSignal,
  release: (value: T) => void,
): Promise<T> {
  signal.throwIfAborted();
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([pending, aborted]);
  } catch (error) {
    // A connection that completes after the abort must still be closed.
    if (signal.aborted) pending.then(release, () => {});
    throw error;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
