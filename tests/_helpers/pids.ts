/**
 * Processes seen by PID: whether one exists, and which running processes
 * (zombies left out) have exactly a given command line, read from /proc.
 *
 * @module
 */

import { readdirSync, readFileSync } from "node:fs";
import process from "node:process";

/** Whether a process with this PID exists. */
export function processExists(pid: number): boolean {
  try {
    // Signal 0 checks existence without delivering anything.
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The running processes (not zombies) whose command line is exactly `argv`,
 * read from /proc.
 */
export function runningProcesses(argv: readonly string[]): number[] {
  const wanted = `${argv.join("\0")}\0`;
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, "latin1") !== wanted) continue;
      if (/^\d+ \(.*\) [ZX] /.test(readFileSync(`/proc/${name}/stat`, "latin1"))) continue;
      found.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}
