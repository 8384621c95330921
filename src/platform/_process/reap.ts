/**
 * Finds and kills every process a command check started, including the ones
 * that left its process group (`setsid`, a double fork): each run's
 * environment carries a unique marker that every descendant inherits, and
 * each process whose `/proc/PID/environ` holds the marker is killed. A
 * process whose environment cannot show the marker (it was cleared with
 * `env -i`, or cannot be read: a setuid program) is found by its parent
 * instead, while that parent is a process of the run: the scan follows parent
 * links from every marked process and, while the command still runs, from
 * the command itself. A process that clears its environment and whose parent
 * has exited by the time of the scan is the one way out; the README says so.
 *
 * Each call scans and kills in rounds until a scan finds nothing new, so a
 * tree that keeps forking while it is looked at is caught: each marked
 * process is stopped (SIGSTOP) as soon as the scan reads it, so it forks no
 * more but its children keep their parent link for the scan, and is killed
 * (SIGKILL) once the scan is done; the children it made before it stopped are
 * found by the next round. A storm of forks makes this slow: on a loaded
 * 2-core machine a tree forking every 20 ms on three levels took 2-3 s to
 * kill, one signal per process, where a single group kill took 0.1 s.
 *
 * Cost (BENCHMARKS.md, "Cost of a check"): only PIDs allocated since the
 * child started are read (`proc_readers.ts`), about 0.1-0.3 ms a run here
 * against 1-3 ms for a full scan of /proc; the commands of other runs in
 * progress are skipped unread. Reads are synchronous: they are short and must
 * finish before vitals exits. Without /proc (not Linux) it does nothing.
 *
 * @module
 */

import { Buffer, process } from "./node_sync.ts";
import { candidates, environOf, statOf } from "./proc_readers.ts";

/** The environment variable that carries a run's marker. */
export const MARKER_VARIABLE = "VITALS_CHECK_RUN";

/**
 * How many scan-and-kill rounds at most. A round ends the call once it finds
 * nothing it has not killed already; more are needed only while something
 * keeps forking.
 */
const ROUNDS = 20;

let runs = 0;

/**
 * The PIDs of the commands of runs in progress. Each is vitals' own child, so
 * never a descendant of another run: a scan skips them without a read, which
 * matters when many checks run at once.
 */
const commands = new Set<number>();

/** Notes that `pid` is a command vitals started; returns the call that forgets it. */
export function trackCommand(pid: number): () => void {
  commands.add(pid);
  return () => commands.delete(pid);
}

/** A marker no other run of this or another vitals process carries. */
export function newMarker(): string {
  const random = crypto.getRandomValues(new Uint32Array(2)).join("");
  return `${process.pid}-${++runs}-${random}`;
}

/** Sends `name` to `pid`; false if the process is gone. */
function signal(pid: number, name: "SIGSTOP" | "SIGKILL"): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

/** What one scan of /proc found. */
interface Scan {
  /** PIDs whose environment holds the marker, or whose parent is one of the run's. */
  readonly found: number[];
  /**
   * PIDs that could not be told yet: a user process in the middle of
   * `execve` shows an empty environment for a moment (seen about once in
   * 1,000 `setsid` escapes when a group kill came first; more often without
   * one, as on Deno), while zombies and kernel threads always do. A process
   * started with no environment at all looks the same, and costs the run
   * the longest wait of {@link reapSettled}. (Its `env_start` field in
   * /proc/PID/stat does not tell them apart: environ and stat are two reads,
   * and an `execve` between them left 7 of 300 escapes alive.)
   */
  readonly unsure: number[];
}

/**
 * The PIDs, from `firstPid` on (all of them after a wrap), whose environment
 * holds `needle`, and their descendants and `root`'s whose environment shows
 * no marker at all (cleared, or unreadable). Stops (SIGSTOP) each marked one
 * as soon as it is read; the caller kills them. Parents are read only when
 * there is someone to follow from, so a run that left nothing reads one file
 * per PID.
 */
function marked(needle: Buffer, anyMarker: Buffer, firstPid: number, root?: number): Scan {
  const pids = candidates(firstPid);
  const found: number[] = [];
  // Processes without any marker: whether their environment was empty.
  const unmarked = new Map<number, boolean>();
  for (const pid of pids) {
    if (pid === process.pid || (pid !== firstPid && commands.has(pid))) continue;
    let environ: Buffer | undefined;
    try {
      environ = environOf(pid);
    } catch {
      // Gone already, or not ours to read (its parent may still place it).
    }
    if (environ?.includes(needle)) {
      found.push(pid);
      // Stopped at once, so it forks no more while the scan goes on; killed
      // after it, its children still where they were.
      signal(pid, "SIGSTOP");
    } else if (!environ?.includes(anyMarker)) {
      // One with another run's marker is left to that run.
      unmarked.set(pid, environ?.length === 0);
    }
  }
  const follow = found.length > 0 || root !== undefined;
  const parents = new Map<number, number>();
  const unsure: number[] = [];
  for (const [pid, blank] of unmarked) {
    if (!follow && !blank) continue;
    const stat = statOf(pid);
    if (stat === undefined || stat.inert) continue;
    if (follow) parents.set(pid, stat.ppid);
    if (blank) unsure.push(pid);
  }
  const run = new Set(found);
  if (root !== undefined) run.add(root);
  for (let grew = parents.size > 0; grew;) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (run.has(ppid)) {
        run.add(pid);
        found.push(pid);
        parents.delete(pid);
        grew = true;
      }
    }
  }
  return { found, unsure: unsure.filter((pid) => !run.has(pid)) };
}

/**
 * Kills (SIGKILL) every process whose environment carries `marker`, looking
 * at PIDs from `firstPid` on, and every descendant of those (and of `root`,
 * the command itself, when it still runs) whose environment shows no marker.
 * Synchronous, so it can run on the way out of the process. Returns how many
 * it killed and how many it could not tell yet (mid-`execve`);
 * {@link reapSettled} looks at those again.
 *
 * @example
 * ```ts ignore
 * const marker = newMarker();
 * const child = spawn(argv, { env: { [MARKER_VARIABLE]: marker } });
 * await child.exited;
 * reapMarked(marker, child.pid); // the ones that called setsid are gone too
 * ```
 */
export function reapMarked(
  marker: string,
  firstPid: number,
  root?: number,
): { killed: number; unsure: number } {
  const needle = Buffer.from(`${MARKER_VARIABLE}=${marker}\0`);
  const anyMarker = Buffer.from(`${MARKER_VARIABLE}=`);
  const killed = new Set<number>();
  let unsure = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const scan = marked(needle, anyMarker, firstPid, root);
    unsure = scan.unsure.length;
    let fresh = 0;
    for (const pid of scan.found) {
      // Killed in an earlier round and not yet gone: it can no longer fork.
      if (killed.has(pid)) continue;
      fresh++;
      if (signal(pid, "SIGKILL")) killed.add(pid);
    }
    if (fresh === 0) break;
  }
  return { killed: killed.size, unsure };
}

/** How long {@link reapSettled} waits before its first look again; each later wait doubles. */
const UNSURE_PAUSE_MS = 2;
/** How many times it looks again at most: waits of 2 to 256 ms, about 0.5 s in all. */
const UNSURE_LOOKS = 8;

/**
 * {@link reapMarked}, then again while some process could not be told (one
 * in the middle of `execve`, as a child that left the group is right after
 * the command exits), after waits that double from 2 ms, for at most about
 * 0.5 s: under load an `execve` may wait that long for a CPU.
 */
export async function reapSettled(marker: string, firstPid: number): Promise<number> {
  let { killed, unsure } = reapMarked(marker, firstPid);
  for (let look = 0; unsure > 0 && look < UNSURE_LOOKS; look++) {
    await new Promise((resolve) => setTimeout(resolve, UNSURE_PAUSE_MS * 2 ** look));
    const again = reapMarked(marker, firstPid);
    killed += again.killed;
    unsure = again.unsure;
  }
  return killed;
}
