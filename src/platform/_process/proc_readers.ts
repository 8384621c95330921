/**
 * The /proc readers `reap.ts` scans with: the last PID allocated, the PIDs
 * that may belong to a run, a process's environment read whole, and its
 * parent and state.
 *
 * Only PIDs allocated since the child started are read (PIDs grow until they
 * wrap, which `/proc/loadavg`'s last PID shows); when few were allocated
 * since, they are read one by one without listing /proc, so a command that
 * started nothing costs two small reads (BENCHMARKS.md, "Cost of a check").
 * Reads are synchronous, through `node_sync.ts`.
 *
 * @module
 */

import { type Buffer, process, readdirSync, readFileSync } from "./node_sync.ts";
import type * as NodeBuffer from "node:buffer";
import type * as NodeFs from "node:fs";

/** The PID most recently allocated in this PID namespace, if the system says. */
function lastPid(): number | undefined {
  try {
    const last = Number(readFileSync("/proc/loadavg", "utf8").trim().split(/\s+/).pop());
    return Number.isSafeInteger(last) ? last : undefined;
  } catch {
    return undefined;
  }
}

/** Where {@link environOf} reads; allocated on first use. */
let scratch: Buffer | undefined;

/**
 * The whole of /proc/PID/environ, read with one `read` call: the kernel
 * holds one address space through a call, while a read in pieces (as
 * `readFileSync` does) could straddle an `execve` and stop short, without the
 * marker at the end (4 of 100 `setsid` escapes were missed so under `serve`).
 * Only an environment over 64 KiB is read in pieces.
 */
export function environOf(pid: number): Buffer {
  const fs = process.getBuiltinModule("node:fs") as typeof NodeFs;
  scratch ??= (process.getBuiltinModule("node:buffer") as typeof NodeBuffer).Buffer
    .allocUnsafe(65_536);
  const fd = fs.openSync(`/proc/${pid}/environ`, "r");
  try {
    const length = fs.readSync(fd, scratch, 0, scratch.length, null);
    if (length < scratch.length) return scratch.subarray(0, length);
  } finally {
    fs.closeSync(fd);
  }
  return readFileSync(`/proc/${pid}/environ`);
}

/** The kernel's flag for its own threads (`PF_KTHREAD`), in field 9 of /proc/PID/stat. */
const PF_KTHREAD = 0x00200000;

/** What /proc/PID/stat says about a process that `environ` could not place. */
export interface Stat {
  readonly ppid: number;
  /** Exited (a zombie) or a kernel thread: never killed, never mid-`execve`. */
  readonly inert: boolean;
}

/** Reads /proc/PID/stat; undefined once the process is gone. */
export function statOf(pid: number): Stat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    // Fields from the third (state) on: field N is at N - 3.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const state = fields[0] ?? "";
    const inert = state === "Z" || state === "X" || (Number(fields[6]) & PF_KTHREAD) !== 0;
    return { ppid: Number(fields[1]), inert };
  } catch {
    return undefined;
  }
}

/**
 * Below this many PIDs allocated since the child started, each is looked up
 * directly rather than listing /proc: a listing costs as much as 10-20 reads.
 */
const PROBE_LIMIT = 16;

/**
 * The PIDs that may belong to a run whose child got `firstPid`: those
 * allocated since (up to the last one, which also counts threads), all of
 * them when PIDs wrapped or the last one is unknown; none without /proc.
 * A child that started nothing and is gone leaves one PID to look at.
 */
export function candidates(firstPid: number): number[] {
  const last = lastPid();
  if (last !== undefined && last >= firstPid && last - firstPid < PROBE_LIMIT) {
    return Array.from({ length: last - firstPid + 1 }, (_, i) => firstPid + i);
  }
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return []; // no /proc: nothing to scan
  }
  const wrapped = last === undefined || last < firstPid;
  const pids: number[] = [];
  for (const name of names) {
    const pid = Number(name);
    if (Number.isSafeInteger(pid) && (wrapped || pid >= firstPid)) pids.push(pid);
  }
  return pids;
}
