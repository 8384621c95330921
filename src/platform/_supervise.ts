/**
 * The runtime-neutral half of the platform: watching a child process to its
 * end and cleaning up after it, and abandoning a pending connect when a
 * signal aborts. Each runtime's
 * file supplies only the calls that differ.
 *
 * The abort listeners and timers here never throw (a throw out of one ends
 * the process): each guards what it calls.
 *
 * @module
 */

import { HeadBuffer } from "./_head_buffer.ts";
import { reapMarked, reapSettled, trackCommand } from "./_reap.ts";
import { drainInto, TailBuffer } from "./_tail_buffer.ts";
import type { SpawnOptions, SpawnResult } from "./platform.ts";

/** A started child as each runtime describes it. */
export interface ChildHandle {
  readonly pid: number;
  readonly stdout: ReadableStream<Uint8Array> | null;
  readonly stderr: ReadableStream<Uint8Array> | null;
  /** Resolves when the child exits: its code, or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  /** Kills (SIGKILL) the child's whole process group, which it leads; must not throw. */
  killGroup(): void;
}

/**
 * How long output may still arrive after the command has exited and what it
 * left running was killed, before the pipes are closed regardless.
 */
const DRAIN_GRACE_MS = 1_000;

/**
 * Watches a child started with `marker` in its environment (see `_reap.ts`)
 * to its end. The command's own exit decides the result: once it exits,
 * everything the run started is killed (its process group, and every process
 * carrying the marker, which catches the ones that called
 * `setsid`), and the output already written is read to its end, for at most a
 * grace period. When `options.signal` aborts (a timeout, too much output,
 * vitals stopping), the same happens at once, and again once the child has
 * exited.
 */
export async function supervise(
  child: ChildHandle,
  options: SpawnOptions,
  marker: string,
): Promise<SpawnResult> {
  const stop = () => {
    // The scan comes first, while the command still runs: a descendant that
    // cleared its environment is known by its parent only until it dies.
    try {
      reapMarked(marker, child.pid, child.pid);
    } catch {
      // /proc misbehaved: the group kill below still ends what stayed in the group.
    }
    child.killGroup(); // never throws (see ChildHandle)
  };
  const untrack = trackCommand(child.pid);
  if (options.signal.aborted) stop();
  options.signal.addEventListener("abort", stop, { once: true });
  const tail = new TailBuffer(options.outputLimit);
  const head = options.stdoutHead === undefined ? undefined : new HeadBuffer(options.stdoutHead);
  // stdout goes to the combined tail and, when asked for, to its own head too.
  const stdoutSink = head === undefined ? tail : {
    write(chunk: Uint8Array) {
      head.write(chunk);
      tail.write(chunk);
    },
    get total() {
      return tail.total;
    },
  };
  const closePipes = new AbortController();
  let overflowed = false;
  const full = () => {
    overflowed = true;
    stop();
    closePipes.abort();
  };
  const reading = Promise.all([
    drainInto(child.stdout, stdoutSink, closePipes.signal, options.outputCap, full),
    drainInto(child.stderr, tail, closePipes.signal, options.outputCap, full),
  ]);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const status = await child.exited;
    untrack();
    child.killGroup();
    // Awaited: a descendant caught mid-execve is looked at again, so the run
    // ends only when everything it started is gone.
    await reapSettled(marker, child.pid);
    timer = setTimeout(() => closePipes.abort(), DRAIN_GRACE_MS);
    await reading;
    return {
      code: status.signal === null ? status.code : null,
      signal: status.signal,
      output: tail.text(),
      outputBytes: tail.total,
      overflowed,
      ...(head === undefined ? {} : { stdout: { text: head.text(), bytes: head.total } }),
    };
  } finally {
    untrack();
    clearTimeout(timer);
    options.signal.removeEventListener("abort", stop);
    closePipes.abort();
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
    // A connection that completes after the abort must still be closed;
    // `release` failing (closed already) must not reject where nobody listens.
    if (signal.aborted) {
      pending.then((value) => {
        try {
          release(value);
        } catch {
          // Already closed.
        }
      }, () => {});
    }
    throw error;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
