/**
 * No process a command check starts outlives its run, on either runtime:
 * a grandchild left sleeping, a child that left the session (`setsid`), one
 * orphaned by a double fork, a child that cleared its environment or did both
 * while the command still ran, and a tree that keeps forking until the
 * timeout. Real processes; each leaf writes its PID to a file before it
 * becomes `sleep`, so a test sees that it ran before it sees it gone.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import process from "node:process";
import { test } from "node:test";
import type { RunResult } from "../../src/types.ts";
import { runCheck } from "../_helpers/checks.ts";
import { tempDir } from "../_helpers/files.ts";
import { runningProcesses } from "../_helpers/pids.ts";
import { eventually } from "../_helpers/waits.ts";

/** A number of seconds no other test sleeps for, so `sleep N` names this file's processes. */
let seconds = 3000 + Math.floor(Math.random() * 1000) * 10;

/** Whether `pid` runs (a zombie has exited; only its parent has yet to reap it). */
function runs(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, "latin1"));
  } catch {
    return false;
  }
}

/** Kills what a failed test left, so it cannot outlive the test run either. */
function cleanUp(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

/** A temporary directory with `leaf.sh`: `leaf.sh FILE N` writes its PID to FILE, then sleeps N s. */
async function scripts(): Promise<{ dir: string; leaf: string }> {
  const dir = await tempDir();
  const leaf = `${dir}/leaf.sh`;
  await writeFile(leaf, 'echo $$ > "$1.tmp" && mv "$1.tmp" "$1"\nexec sleep "$2"\n');
  return { dir, leaf };
}

/** Shell text that waits until `file` exists. */
function until(file: string): string {
  return `until [ -e ${file} ]; do sleep 0.01; done`;
}

/**
 * Runs `sh -c script` as a command check; `script` starts one leaf writing
 * to `file`. Resolves with the result and the leaf's PID.
 */
async function runLeaf(
  script: string,
  file: string,
  timeout = 10_000,
): Promise<{ result: RunResult; pid: number }> {
  const result = await runCheck({ type: "command", command: ["sh", "-c", script], timeout });
  let pid = 0;
  try {
    pid = Number(readFileSync(file, "utf8").trim());
  } catch {
    // Never written: the assertion below says so.
  }
  assert.ok(pid > 0, `the leaf never ran: ${result.status} ${result.message}`);
  return { result, pid };
}

/** Asserts that `pid` stops running soon; kills it if not. */
async function assertGone(pid: number, what: string): Promise<void> {
  const gone = await eventually(() => !runs(pid), 5000);
  cleanUp([pid]);
  assert.ok(gone, `${what} (PID ${pid}) outlived the run`);
}

test("a grandchild a command left sleeping is killed when the command exits", async () => {
  const { dir, leaf } = await scripts();
  try {
    const file = `${dir}/pid`;
    const n = ++seconds;
    // sh -> sh (in the background, waiting) -> leaf: two levels below the command.
    const { result, pid } = await runLeaf(
      `sh -c 'sh ${leaf} ${file} ${n}; :' & ${until(file)}; exit 0`,
      file,
    );
    assert.equal(result.status, "UP", result.message);
    await assertGone(pid, "the grandchild");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a child that left the session with setsid is killed when the command exits", async () => {
  const { dir, leaf } = await scripts();
  try {
    const file = `${dir}/pid`;
    const { result, pid } = await runLeaf(
      `setsid sh ${leaf} ${file} ${++seconds} & ${until(file)}; exit 0`,
      file,
    );
    assert.equal(result.status, "UP", result.message);
    await assertGone(pid, "the setsid child");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a child orphaned by a double fork is killed when the command exits", async () => {
  const { dir, leaf } = await scripts();
  try {
    const file = `${dir}/pid`;
    // The subshell starts the leaf and exits at once: the leaf's parent is gone.
    const { result, pid } = await runLeaf(
      `(sh ${leaf} ${file} ${++seconds} &); ${until(file)}; exit 0`,
      file,
    );
    assert.equal(result.status, "UP", result.message);
    await assertGone(pid, "the double-forked child");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a child that cleared its environment is killed when the command times out", async () => {
  const { dir, leaf } = await scripts();
  try {
    const file = `${dir}/pid`;
    const { result, pid } = await runLeaf(
      `env -i /bin/sh ${leaf} ${file} ${++seconds} & ${until(file)}; wait`,
      file,
      500,
    );
    assert.equal(result.status, "DOWN");
    assert.match(result.message, /^timed out after 500 ms/);
    await assertGone(pid, "the child without an environment");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a child that left the session and cleared its environment is killed when the command times out", async () => {
  const { dir, leaf } = await scripts();
  try {
    const file = `${dir}/pid`;
    const { result, pid } = await runLeaf(
      `setsid env -i /bin/sh ${leaf} ${file} ${++seconds} & ${until(file)}; wait`,
      file,
      500,
    );
    assert.equal(result.status, "DOWN");
    assert.match(result.message, /^timed out after 500 ms/);
    await assertGone(pid, "the setsid child without an environment");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a command that cleared its own environment has its children killed when it times out", async () => {
  const { dir, leaf } = await scripts();
  try {
    const file = `${dir}/pid`;
    // No process of this run carries the marker: only the command's own PID leads to the leaf.
    const result = await runCheck({
      type: "command",
      command: [
        "env",
        "-i",
        "/bin/sh",
        "-c",
        `sh ${leaf} ${file} ${++seconds} & ${until(file)}; wait`,
      ],
      timeout: 500,
    });
    assert.equal(result.status, "DOWN");
    assert.match(result.message, /^timed out after 500 ms/);
    await assertGone(
      Number(readFileSync(file, "utf8")),
      "the child of a command without an environment",
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a tree that keeps forking until the timeout leaves no process behind", async () => {
  const dir = await tempDir();
  const spawner = `${dir}/spawner.sh`;
  const n = ++seconds;
  // `spawner.sh DEPTH`: every 50 ms for 1 s, starts a sleeper and (above depth
  // 0, the first 4 times) another spawner, so new processes appear while they
  // are being killed; bounded (21 spawners, 420 sleepers) should they escape.
  await writeFile(
    spawner,
    `echo "spawner $1"\ni=0\nwhile [ $i -lt 20 ]; do\n  sleep ${n} &\n` +
      `  [ "$1" -gt 0 ] && [ $i -lt 4 ] && sh ${spawner} $(($1 - 1)) &\n` +
      `  sleep 0.05\n  i=$((i + 1))\ndone\nwait\n`,
  );
  const spawners = () =>
    [0, 1, 2].flatMap((depth) => runningProcesses(["sh", spawner, String(depth)]));
  const sleepers = () => runningProcesses(["sleep", String(n)]);
  try {
    const result = await runCheck({ type: "command", command: ["sh", spawner, "2"], timeout: 500 });
    assert.equal(result.status, "DOWN");
    // Spawners below the command ran: their output made it into the message.
    assert.match(result.message, /^timed out after 500 ms; output so far: spawner 2\nspawner 1/);
    const none = await eventually(() => spawners().length + sleepers().length === 0, 5000);
    assert.ok(none, `left running: ${spawners().length} spawners, ${sleepers().length} sleepers`);
  } finally {
    for (let pass = 0; pass < 3; pass++) {
      cleanUp(spawners());
      cleanUp(sleepers());
    }
    await rm(dir, { recursive: true, force: true });
  }
});
