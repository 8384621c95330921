/**
 * The runtime-neutral part of `Platform.spawn`: watching a child
 * process to its end and cleaning up after it. Each runtime's file supplies
 * only the calls that differ (starting the child, killing its group).
 *
 * The abort listeners and timers here never throw (a throw out of one ends
 * the process): each guards what it calls.
 *
 * @module
 */

import type { SpawnOptions, SpawnResult } from "../platform.ts";
import { toPlatformError } from "../platform_error.ts";
import { drainInto } from "./drain_into.ts";
import { HeadBuffer, TailBuffer } from "./output_buffers.ts";
import { MARKER_VARIABLE, newMarker, reapMarked, reapSettled, trackCommand } from "./reap.ts";

/** A started child as each runtime describes it (`Deno.ChildProcess` and Bun's subprocess are). */
export interface ChildHandle {
  readonly pid: number;
  readonly stdout: ReadableStream<Uint8Array> | null;
  readonly stderr: ReadableStream<Uint8Array> | null;
}

/** How a child ended: its exit code, or the signal that ended it. */
export interface ExitStatus {
  readonly code: number | null;
  readonly signal: string | null;
}

/** The calls that differ by runtime, which {@link supervise} makes. */
export interface ChildRuntime {
  /**
   * Starts the program of the options with `marker` (one environment
   * variable) over their environment, in a process group of its own; throws
   * when it cannot start. Resolves `exited` when the child exits.
   */
  start(
    marker: Readonly<Record<string, string>>,
  ): { child: ChildHandle; exited: Promise<ExitStatus> };
  /** Kills (SIGKILL) the process group `pid` leads; may throw when it is gone. */
  killGroup(pid: number): void;
}

/**
 * How long output may still arrive after the command has exited and what it
 * left running was killed, before the pipes are closed regardless.
 */
const DRAIN_GRACE_MS = 1_000;

/**
 * Starts a child through `runtime` with a run marker in its environment (see
 * `reap.ts`) and watches it to its end; rejects with a `PlatformError` when
 * it cannot start. The command's own exit decides the result: once it exits,
 * everything the run started is killed (its process group, and every process
 * carrying the marker, which catches the ones that called `setsid`), and the
 * output already written is read to its end, for at most a grace period.
 * When `options.signal` aborts (a timeout, too much output, vitals stopping),
 * the same happens at once, and again once the child has exited.
 */
export async function supervise(
  options: SpawnOptions,
  runtime: ChildRuntime,
): Promise<SpawnResult> {
  const marker = newMarker();
  let started: ReturnType<ChildRuntime["start"]>;
  try {
    started = runtime.start({ [MARKER_VARIABLE]: marker });
  } catch (error) {
    throw toPlatformError(error);
  }
  const { child, exited } = started;
  const killGroup = () => {
    try {
      runtime.killGroup(child.pid);
    } catch {
      // Already gone.
    }
  };
  const stop = () => {
    // The scan comes first, while the command still runs: a descendant that
    // cleared its environment is known by its parent only until it dies.
    try {
      reapMarked(marker, child.pid, child.pid);
    } catch {
      // /proc misbehaved: the group kill below still ends what stayed in the group.
    }
    killGroup();
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
    const status = await exited;
    untrack();
    killGroup();
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
