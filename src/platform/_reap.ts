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

/** The kernel's flag for its own threads (`PF_KTHREAD`), in field 9 of /proc/PID/stat. */
const PF_KTHREAD = 0x00200000;

/**
 * Whether an empty environment says nothing about `pid`: a user process in
 * the middle of `execve` shows an empty environment for a moment (seen about
 * once in 1,000 `setsid` escapes), while zombies and kernel threads always do.
 */
function emptyForNow(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    const [state = "", , , , , , flags = "0"] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return state !== "Z" && state !== "X" && (Number(flags) & PF_KTHREAD) === 0;
  } catch {
    return false; // gone
  }
}

/** What one scan of /proc found. */
interface Scan {
  /** PIDs whose environment holds the marker. */
  readonly found: number[];
  /** PIDs whose environment could not be told yet (mid-`execve`). */
  readonly unsure: number[];
}

/** The PIDs, from `firstPid` on (all of them after a wrap), whose environment holds `needle`. */
function marked(needle: Buffer, firstPid: number): Scan {
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return { found: [], unsure: [] }; // no /proc: nothing to scan
  }
  const last = lastPid();
  const wrapped = last === undefined || last < firstPid;
  const found: number[] = [];
  const unsure: number[] = [];
  for (const name of names) {
    const pid = Number(name);
    if (!Number.isSafeInteger(pid) || pid === process.pid || (!wrapped && pid < firstPid)) continue;
    try {
      const environ = readFileSync(`/proc/${name}/environ`);
      if (environ.includes(needle)) found.push(pid);
      else if (environ.length === 0 && emptyForNow(pid)) unsure.push(pid);
    } catch {
      // Gone already, or not ours to read.
    }
  }
  return { found, unsure };
}

/**
 * Kills (SIGKILL) every process whose environment carries `marker`, looking
 * at PIDs from `firstPid` on. Synchronous, so it can run on the way out of the
 * process. Returns how many it killed and how many it could not tell yet
 * (mid-`execve`); {@link reapSettled} looks at those again.
 *
 * @example
 * ```ts ignore
 * const marker = newMarker();
 * const child = spawn(argv, { env: { [MARKER_VARIABLE]: marker } });
 * await child.exited;
 * reapMarked(marker, child.pid); // the ones that called setsid are gone too
 * ```
 */
export function reapMarked(marker: string, firstPid: number): { killed: number; unsure: number } {
  const needle = Buffer.from(`${MARKER_VARIABLE}=${marker}\0`);
  const killed = new Set<number>();
  let unsure = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const scan = marked(needle, firstPid);
    unsure = scan.unsure.length;
    if (scan.found.length === 0) break;
    for (const pid of scan.found) {
      try {
        process.kill(pid, "SIGKILL");
        killed.add(pid);
      } catch {
        // Exited meanwhile.
      }
    }
  }
  return { killed: killed.size, unsure };
}

/** How long {@link reapSettled} waits between looks at processes it could not tell. */
const UNSURE_PAUSE_MS = 2;
/** How many times it looks again at most. */
const UNSURE_LOOKS = 10;

/**
 * {@link reapMarked}, then again after a short pause while some process could
 * not be told (a process that is mid-`execve` right after leaving the group),
 * for at most about 20 ms.
 */
export async function reapSettled(marker: string, firstPid: number): Promise<number> {
  let { killed, unsure } = reapMarked(marker, firstPid);
  for (let look = 0; unsure > 0 && look < UNSURE_LOOKS; look++) {
    await new Promise((resolve) => setTimeout(resolve, UNSURE_PAUSE_MS));
    const again = reapMarked(marker, firstPid);
    killed += again.killed;
    unsure = again.unsure;
  }
  return killed;
}
