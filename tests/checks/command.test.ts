// The command check (src/checks/command.ts) against real processes: exit
// codes, the tail of the output, cwd and env, timeouts that kill the whole
// process group, and programs that cannot run (missing, not executable, a
// directory, a missing interpreter, not a program). Also: a flood of output
// is cut at 1 MiB, a secret cut inside a multibyte character by the 4 KiB tail
// shows no part of itself, background children do not hold a run open, and a
// timed-out run keeps the output it wrote.

import assert from "node:assert/strict";
import { rm, writeFile } from "node:fs/promises";
import { test } from "node:test";
import type { CheckConfig } from "../../src/config/resolve.ts";
import { CHECK_BASE, runCheck } from "../_helpers/checks.ts";
import { tempDir } from "../_helpers/files.ts";
import { processExists, runningProcesses } from "../_helpers/pids.ts";
import { platform } from "../_helpers/platform.ts";
import { eventually } from "../_helpers/waits.ts";

function command(command: string[], extra: Partial<CheckConfig> = {}): CheckConfig {
  return { ...CHECK_BASE, name: "cmd", type: "command", command, ...extra } as CheckConfig;
}

test("command exiting 0 is UP", async () => {
  const result = await runCheck(command(["true"]));
  assert.equal(result.status, "UP");
  assert.equal(result.message, "exit 0");
  assert.equal(result.name, "cmd");
  assert.equal(result.type, "command");
  assert.equal(result.critical, true);
  assert.ok(result.durationMs >= 0);
  assert.ok(!Number.isNaN(Date.parse(result.checkedAt)));
});

test("command exiting non-zero is DOWN with the exit code", async () => {
  const result = await runCheck(command(["false"]));
  assert.equal(result.status, "DOWN");
  assert.equal(result.message, "exit code 1");
});

test("command failure message carries the tail of combined output", async () => {
  const result = await runCheck(
    command(["sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 3"]),
  );
  assert.equal(result.status, "DOWN");
  assert.match(result.message, /^exit code 3: /);
  assert.match(result.message, /to-stdout/);
  assert.match(result.message, /to-stderr/);
});

test("command output beyond 4 KiB keeps only the last 4096 bytes", async () => {
  const result = await runCheck(
    command(["sh", "-c", "head -c 20000 /dev/zero | tr '\\0' a; printf END; exit 1"]),
  );
  assert.equal(result.status, "DOWN");
  assert.match(result.message, /^exit code 1 \(last 4096 of 20003 bytes\): a+END$/);
  assert.ok(result.message.length < 4200);
});

test("command that does not exist is DOWN: command not found", async () => {
  const result = await runCheck(command(["vitals-no-such-program"]));
  assert.equal(result.status, "DOWN");
  assert.equal(result.message, 'command not found: "vitals-no-such-program"');
});

test("command that is not executable is DOWN with permission denied", async () => {
  const file = `${await tempDir()}/not-executable.sh`;
  await writeFile(file, "#!/bin/sh\nexit 0\n", { mode: 0o644 });
  const result = await runCheck(command([file]));
  assert.equal(result.status, "DOWN");
  assert.equal(result.message, `command not executable: "${file}" (permission denied)`);
});

test("command runs in cwd with extra env merged over the sidecar's", async () => {
  const result = await runCheck(
    command(["sh", "-c", 'test "$(pwd)" = /tmp && test "$VITALS_T" = yes && test -n "$PATH"'], {
      cwd: "/tmp",
      env: { VITALS_T: "yes" },
    } as Partial<CheckConfig>),
  );
  assert.equal(result.status, "UP", result.message);
});

test("command past its timeout is DOWN and its process is killed", async () => {
  const dir = await tempDir();
  const pidFile = `${dir}/pid`;
  const started = performance.now();
  const result = await runCheck(
    command(
      ["sh", "-c", `echo $$ > ${pidFile}; exec sleep 5`],
      { timeout: 200 } as Partial<CheckConfig>,
    ),
  );
  const elapsed = performance.now() - started;
  assert.equal(result.status, "DOWN");
  assert.equal(result.message, "timed out after 200 ms");
  assert.ok(elapsed < 2000, `returned after ${elapsed} ms, expected about 200 ms`);
  const pid = Number((await platform.readTextFile(pidFile)).trim());
  assert.ok(pid > 0);
  assert.ok(await eventually(() => !processExists(pid)), `process ${pid} still running`);
});

test("command timeout also kills background children of the command", async () => {
  const dir = await tempDir();
  const pidFile = `${dir}/bg`;
  const result = await runCheck(
    command(["sh", "-c", `sleep 30 & echo $! > ${pidFile}; sleep 30`], { timeout: 300 } as Partial<
      CheckConfig
    >),
  );
  assert.equal(result.status, "DOWN");
  const pid = Number((await platform.readTextFile(pidFile)).trim());
  assert.ok(await eventually(() => !processExists(pid)), `background process ${pid} survived`);
});

test("a command check whose program is a directory is DOWN: command not executable", async () => {
  const dir = await tempDir();
  try {
    const result = await runCheck({ type: "command", command: [dir] });
    assert.equal(result.status, "DOWN");
    assert.equal(result.message, `command not executable: "${dir}" (permission denied)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a script whose interpreter is missing is DOWN naming the interpreter, not 'command not found'", async () => {
  const dir = await tempDir();
  const script = `${dir}/check.sh`;
  try {
    await writeFile(script, "#!/nonexistent/interpreter\nexit 0\n", { mode: 0o755 });
    const result = await runCheck({ type: "command", command: [script] });
    assert.equal(result.status, "DOWN");
    assert.match(result.message, /\/nonexistent\/interpreter/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("an executable file that is not a program is DOWN with a clear message", async () => {
  const dir = await tempDir();
  const file = `${dir}/bad.bin`;
  try {
    await writeFile(file, "\x7fELF not really\n", { mode: 0o755 });
    const result = await runCheck({ type: "command", command: [file] });
    assert.equal(result.status, "DOWN");
    assert.doesNotMatch(result.message, /unknown error/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a command that prints more than 1 MiB is DOWN: stopped after writing more than 1048576 bytes", async () => {
  const started = performance.now();
  const result = await runCheck(command(["yes"], { timeout: 10_000 } as Partial<CheckConfig>));
  const elapsed = performance.now() - started;
  assert.equal(result.status, "DOWN");
  assert.match(
    result.message,
    /^stopped after writing more than 1048576 bytes of output \(last 4096 of \d+ bytes\): y\ny\n/,
  );
  const total = Number(/of (\d+) bytes/.exec(result.message)?.[1]);
  assert.ok(total >= 1_048_576, `read ${total} bytes`);
  assert.ok(result.message.length < 4300, `message of ${result.message.length} characters`);
  assert.ok(elapsed < 5000, `took ${elapsed} ms`);
});

/**
 * Runs a command that prints `secret` (from its env), then `filler` bytes of
 * "x", and fails: the 4 KiB tail starts `4096 - filler` bytes before the end
 * of the secret.
 */
function printSecretThenFiller(secret: string, filler: number) {
  return runCheck(
    command(
      ["sh", "-c", `printf %s "$SECRET"; head -c ${filler} /dev/zero | tr '\\0' x; exit 1`],
      { env: { SECRET: secret } } as Partial<CheckConfig>,
    ),
  );
}

test("a secret of multibyte characters cut anywhere by the 4 KiB tail shows no part of itself", async () => {
  // Two-, three- and four-byte characters, so cuts land inside each kind.
  for (const secret of ["пароль-секрет", "秘密のパスワード", "🔑🗝️🔐-key"]) {
    const bytes = new TextEncoder().encode(secret).length;
    // Keep from 1 up to bytes-1 bytes of the secret: every cut point inside it.
    for (let kept = 1; kept < bytes; kept++) {
      const result = await printSecretThenFiller(secret, 4096 - kept);
      assert.equal(result.status, "DOWN");
      const shown = result.message;
      assert.match(
        shown,
        new RegExp(`^exit code 1 \\(last 4096 of ${bytes + 4096 - kept} bytes\\): `),
      );
      // Nothing but ASCII around the filler: no character, and no broken byte, of the secret.
      const rest = shown.replace(/^exit code 1 \(last 4096 of \d+ bytes\): /, "");
      assert.match(
        rest,
        /^(\*\*\*)?x+$/,
        `${secret}, ${kept} bytes kept: ${JSON.stringify(rest.slice(0, 40))}`,
      );
    }
  }
});

test("a command that leaves background children is UP exit 0 at once and leaves none running", async () => {
  // Sleeps no other test (nor this file on the other runtime) starts, so their command lines name them.
  const sleeps = [1, 2].map((
    i,
  ) => ["sleep", String(4000 + Math.floor(Math.random() * 1000) * 10 + i)]);
  const started = performance.now();
  const result = await runCheck(
    command(["sh", "-c", sleeps.map((argv) => `${argv.join(" ")} &`).join(" ")], {
      timeout: 10_000,
    } as Partial<CheckConfig>),
  );
  const elapsed = performance.now() - started;
  assert.equal(result.status, "UP", result.message);
  assert.equal(result.message, "exit 0");
  assert.ok(elapsed < 2000, `took ${elapsed} ms of a 10 s timeout`);
  const left = () => sleeps.flatMap((argv) => runningProcesses(argv));
  assert.ok(await eventually(() => left().length === 0), `still running: ${left()}`);
});

test("a timed-out command keeps the output it wrote: timed out after 300 ms; output so far", async () => {
  const result = await runCheck(
    command(["sh", "-c", "echo waiting for the lock; echo still waiting >&2; exec sleep 30"], {
      timeout: 300,
    } as Partial<CheckConfig>),
  );
  assert.equal(result.status, "DOWN");
  assert.equal(
    result.message,
    "timed out after 300 ms; output so far: waiting for the lock\nstill waiting",
  );
});
