/**
 * Finds and kills every process a command check started, including the ones
 * that left its process group (`setsid`, a double fork): each run's
 * environment carries a unique marker that every descendant inherits, and when
 * the run ends, each process whose `/proc/PID/environ` holds the marker is
 * killed. A process that clears its environment and leaves the session is
 * the one way out; the README says so.
 *
 * Cost: only PIDs allocated since the child started are read (PIDs grow until
 * they wrap, which `/proc/loadavg`'s last PID shows), about 0.1-0.3 ms a run
 * here; a full scan of /proc costs 1-3 ms. Reads are synchronous: they are
 * short and must finish before vitals exits. Without /proc (not Linux) it
 * does nothing.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { readdirSync, readFileSync } from "node:fs";
import process from "node:process";

/** The environment variable that carries a run's marker. */
export const MARKER_VARIABLE = "VITALS_CHECK_RUN";

/** How many scan-and-kill rounds at most: a forking process may add children between two. */
const ROUNDS = 5;

let runs = 0;

/** A marker no other run of this or another vitals process carries. */
export function newMarker(): string {
  const random = crypto.getRandomValues(new Uint32Array(2)).join("");
  return `${process.pid}-${++runs}-${random}`;
}

/** The PID most recently allocated in this PID namespace, if the system says. */
function lastPid(): number | undefined {
  try {
    const last = Number(readFileSync("/proc/loadavg", "utf8").trim().split(/\s+/).pop());
    return Number.isSafeInteger(last) ? last : undefined;
  } catch {
    return undefined;
  }
}

/** The PIDs, from `firstPid` on (all of them after a wrap), whose environment holds `needle`. */
function marked(needle: Buffer, firstPid: number): number[] {
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return []; // no /proc: nothing to scan
  }
  const last = lastPid();
  const wrapped = last === undefined || last < firstPid;
  const found: number[] = [];
  for (const name of names) {
    const pid = Number(name);
    if (!Number.isSafeInteger(pid) || pid === process.pid || (!wrapped && pid < firstPid)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`).includes(needle)) found.push(pid);
    } catch {
      // Gone already, or not ours to read.
    }
  }
  return found;
}

/**
 * Kills (SIGKILL) every process whose environment carries `marker`, looking
 * at PIDs from `firstPid` on; returns how many it killed.
 *
 * @example
 * ```ts ignore
 * const marker = newMarker();
 * const child = spawn(argv, { env: { [MARKER_VARIABLE]: marker } });
 * await child.exited;
 * reapMarked(marker, child.pid); // the ones that called setsid are gone too
 * ```
 */
export function reapMarked(marker: string, firstPid: number): number {
  const needle = Buffer.from(`${MARKER_VARIABLE}=${marker}\0`);
  const killed = new Set<number>();
  for (let round = 0; round < ROUNDS; round++) {
    const pids = marked(needle, firstPid);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
        killed.add(pid);
      } catch {
        // Exited meanwhile.
      }
    }
  }
  return killed.size;
}
