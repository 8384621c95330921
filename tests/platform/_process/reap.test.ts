/**
 * Reaping escaped descendants (src/platform/_process/reap.ts): `reapMarked` kills a
 * process that carries the run's marker in its environment even after it left
 * the process group (`setsid`), and a child that cleared its environment
 * under a parent that carries it, and leaves alone a process without the
 * marker or with another run's. Real processes, started with
 * node:child_process.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import process from "node:process";
import { test } from "node:test";
import { MARKER_VARIABLE, newMarker, reapMarked } from "../../../src/platform/_process/reap.ts";
import { runningProcesses } from "../../_helpers/pids.ts";
import { eventually } from "../../_helpers/waits.ts";

/** The process group and session of `pid` (fields 5 and 6 of /proc/PID/stat). */
function groupOf(pid: number | "self"): { pgrp: number; session: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { pgrp: Number(fields[2]), session: Number(fields[3]) };
}

/** A number of seconds no other test sleeps for, so `sleep N` names this test's process. */
let seconds = 2000 + Math.floor(Math.random() * 1000) * 10;

/**
 * Starts `setsid sleep N` (a new session, so outside our process group) with
 * `env` over ours; resolves once `sleep` runs, with its PID and the child.
 */
async function startEscaped(
  env: Record<string, string>,
): Promise<{ pid: number; child: ChildProcess; argv: string[] }> {
  const argv = ["sleep", String(++seconds)];
  const child = spawn("setsid", argv, { env: { ...process.env, ...env }, stdio: "ignore" });
  child.on("error", () => {});
  let pid = 0;
  assert.ok(
    await eventually(() => (pid = runningProcesses(argv)[0] ?? 0) > 0),
    `${argv.join(" ")} did not start`,
  );
  return { pid, child, argv };
}

/** Kills `pid` if it still runs. */
function cleanUp(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

test("reapMarked kills a process that carries the marker and left the process group", async () => {
  const marker = newMarker();
  const { pid, child, argv } = await startEscaped({ [MARKER_VARIABLE]: marker });
  try {
    const own = groupOf("self");
    const escaped = groupOf(pid);
    assert.notEqual(escaped.pgrp, own.pgrp, "sleep left our process group");
    assert.notEqual(escaped.session, own.session, "sleep left our session");
    assert.equal(escaped.pgrp, pid, "sleep leads a group of its own, so a group kill misses it");

    assert.equal(reapMarked(marker, child.pid ?? pid).killed, 1);
    assert.ok(
      await eventually(() => runningProcesses(argv).length === 0),
      `${argv.join(" ")} survived`,
    );
  } finally {
    cleanUp(pid);
  }
});

test("reapMarked leaves alone a process without the marker, or with another run's", async () => {
  const marker = newMarker();
  const unmarked = await startEscaped({});
  // Another run's marker that starts with this one's: only the whole value counts.
  const other = await startEscaped({ [MARKER_VARIABLE]: `${marker}0` });
  try {
    assert.equal(reapMarked(marker, Math.min(unmarked.pid, other.pid)).killed, 0);
    // Give a wrongly sent SIGKILL time to land.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(runningProcesses(unmarked.argv), [unmarked.pid]);
    assert.deepEqual(runningProcesses(other.argv), [other.pid]);
  } finally {
    cleanUp(unmarked.pid);
    cleanUp(other.pid);
  }
});

test("reapMarked kills a child that cleared its environment under a marked parent, and no one else", async () => {
  const marker = newMarker();
  const unmarked = await startEscaped({});
  // sh carries the marker; the sleep it starts through `env -i` carries nothing.
  const argv = ["sleep", String(++seconds)];
  const parent = spawn("sh", ["-c", `env -i ${argv.join(" ")} & wait`], {
    env: { ...process.env, [MARKER_VARIABLE]: marker },
    stdio: "ignore",
  });
  parent.on("error", () => {});
  let pid = 0;
  try {
    assert.ok(
      await eventually(() => (pid = runningProcesses(argv)[0] ?? 0) > 0),
      "sleep did not start",
    );
    assert.equal(reapMarked(marker, Math.min(unmarked.pid, parent.pid ?? pid)).killed, 2);
    assert.ok(
      await eventually(() => runningProcesses(argv).length === 0),
      `${argv.join(" ")} survived`,
    );
    // Give a wrongly sent SIGKILL time to land.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(runningProcesses(unmarked.argv), [unmarked.pid]);
  } finally {
    cleanUp(pid);
    cleanUp(parent.pid ?? 0);
    cleanUp(unmarked.pid);
  }
});

test("reapMarked finds nothing to kill for a marker no process carries", () => {
  assert.equal(reapMarked(newMarker(), 1).killed, 0);
});
