// The file check (src/checks/file.ts) on real files: a file is UP, a missing
// path, a directory, a file older than maxAge or smaller than minSize are DOWN
// with a message naming the path; Platform.stat on both runtimes; and the
// config keys of `type: file`.

import assert from "node:assert/strict";
import { mkdir, utimes, writeFile } from "node:fs/promises";
import { test } from "node:test";
import { createCheck } from "../../src/checks/create_check.ts";
import { parseConfig } from "../../src/config/load.ts";
import type { CheckConfig } from "../../src/config/resolve.ts";
import { PlatformError } from "../../src/platform/platform_error.ts";
import type { RunResult } from "../../src/types.ts";
import { CHECK_BASE, runCheck } from "../_helpers/checks.ts";
import { ManualClock } from "../_helpers/clock.ts";
import { assertClearConfigError } from "../_helpers/config.ts";
import { tempDir, tempFile } from "../_helpers/files.ts";
import { platform } from "../_helpers/platform.ts";

/** Runs a file check on `clock`, whose wall time ages are measured against. */
function runFileCheck(fields: Record<string, unknown>, clock: ManualClock): Promise<RunResult> {
  const config = { ...CHECK_BASE, name: "beat", type: "file", ...fields } as CheckConfig;
  return createCheck(config, { platform, clock }).run();
}

/** Sets a file's modification (and access) time to `ms` since the epoch. */
function touchAt(path: string, ms: number): Promise<void> {
  return utimes(path, ms / 1000, ms / 1000);
}

test("a file that exists is UP, with its age", async () => {
  const { path } = await tempFile("migrated", "");
  const clock = new ManualClock();
  await touchAt(path, clock.wall - 5_000);
  const result = await runFileCheck({ path }, clock);
  assert.equal(result.status, "UP");
  assert.equal(result.type, "file");
  assert.equal(result.message, `"${path}" exists, last modified 5s ago`);
});

test("a missing file is DOWN: does not exist", async () => {
  const dir = await tempDir();
  const result = await runCheck({ type: "file", path: `${dir}/migrated` });
  assert.equal(result.status, "DOWN");
  assert.equal(result.message, `"${dir}/migrated" does not exist`);
});

test("a path through a file (not a directory) does not exist either", async () => {
  const { path } = await tempFile("plain", "x");
  const result = await runCheck({ type: "file", path: `${path}/child` });
  assert.equal(result.status, "DOWN");
  assert.equal(result.message, `"${path}/child" does not exist`);
});

test("a directory is DOWN: not a file", async () => {
  const dir = await tempDir();
  await mkdir(`${dir}/sub`);
  const result = await runCheck({ type: "file", path: `${dir}/sub` });
  assert.equal(result.status, "DOWN");
  assert.equal(result.message, `"${dir}/sub" is a directory, not a file`);
});

test("a file modified longer ago than maxAge is DOWN, saying how long ago", async () => {
  const { path } = await tempFile("worker.beat", "");
  const clock = new ManualClock();
  await touchAt(path, clock.wall - 192_000);
  const result = await runFileCheck({ path, maxAge: 60_000 }, clock);
  assert.equal(result.status, "DOWN");
  assert.equal(result.message, `"${path}" last modified 3m12s ago, more than maxAge 1m`);
});

test("a file modified within maxAge is UP, and turns DOWN as time passes without a touch", async () => {
  const { path } = await tempFile("worker.beat", "");
  const clock = new ManualClock();
  await touchAt(path, clock.wall - 30_000);
  const fresh = await runFileCheck({ path, maxAge: 60_000 }, clock);
  assert.equal(fresh.status, "UP");
  assert.equal(fresh.message, `"${path}" exists, last modified 30s ago`);
  clock.advance(31_000);
  const stale = await runFileCheck({ path, maxAge: 60_000 }, clock);
  assert.equal(stale.status, "DOWN");
  assert.equal(stale.message, `"${path}" last modified 1m1s ago, more than maxAge 1m`);
  await touchAt(path, clock.wall);
  assert.equal((await runFileCheck({ path, maxAge: 60_000 }, clock)).status, "UP");
});

test("a modification time in the future counts as fresh", async () => {
  const { path } = await tempFile("worker.beat", "");
  const clock = new ManualClock();
  await touchAt(path, clock.wall + 3_600_000);
  const result = await runFileCheck({ path, maxAge: 1_000 }, clock);
  assert.equal(result.status, "UP");
  assert.equal(result.message, `"${path}" exists, last modified 0ms ago`);
});

test("minSize: a file smaller than it is DOWN, one at least as large is UP", async () => {
  const { path } = await tempFile("dump", "");
  const empty = await runCheck({ type: "file", path, minSize: 1 });
  assert.equal(empty.status, "DOWN");
  assert.equal(empty.message, `"${path}" is 0 bytes, less than minSize 1`);
  await writeFile(path, "12345");
  assert.equal((await runCheck({ type: "file", path, minSize: 5 })).status, "UP");
});

test("Platform.stat reports kind, size and modification time, and ENOENT for nothing", async () => {
  const { path, dir } = await tempFile("data", "hello");
  await touchAt(path, 1_700_000_000_000);
  assert.deepEqual(await platform.stat(path), {
    isFile: true,
    isDirectory: false,
    size: 5,
    mtimeMs: 1_700_000_000_000,
  });
  const folder = await platform.stat(dir);
  assert.equal(folder.isFile, false);
  assert.equal(folder.isDirectory, true);
  await assert.rejects(
    platform.stat(`${dir}/absent`),
    (error) => error instanceof PlatformError && error.code === "ENOENT",
  );
  await assert.rejects(
    platform.stat(`${path}/child`),
    (error) => error instanceof PlatformError && error.code === "ENOTDIR",
  );
});

test("a file check in the config: path required, maxAge a duration, minSize bytes", () => {
  const config = parseConfig(
    "checks:\n  - {name: beat, type: file, path: /var/run/worker.beat, maxAge: 1m, minSize: 1}\n" +
      "  - {name: migrated, type: file, path: /shared/migrated}\n",
    "file.yaml",
    {},
  );
  const [beat, migrated] = config.checks;
  assert.equal(beat?.type, "file");
  if (beat?.type !== "file" || migrated?.type !== "file") return;
  assert.equal(beat.path, "/var/run/worker.beat");
  assert.equal(beat.maxAge, 60_000);
  assert.equal(beat.minSize, 1);
  assert.equal(migrated.maxAge, undefined);
  assert.equal(migrated.minSize, undefined);
  assert.equal(migrated.timeout, 5_000);
});

test("a file check without a path, or with a bad maxAge or minSize, is a clear config error", () => {
  const cases: [string, RegExp][] = [
    ["{name: f, type: file}", /checks\[0\]\.path: required key is missing/],
    ["{name: f, type: file, path: ''}", /checks\[0\]\.path: expected a file path/],
    ["{name: f, type: file, path: /x, maxAge: soon}", /checks\[0\]\.maxAge: expected a duration/],
    ["{name: f, type: file, path: /x, minSize: -1}", /checks\[0\]\.minSize: expected a size/],
    ["{name: f, type: file, path: /x, mode: 644}", /checks\[0\]\.mode: unknown key "mode"/],
  ];
  for (const [item, expected] of cases) {
    try {
      parseConfig(`checks:\n  - ${item}\n`, "file.yaml", {});
      assert.fail(`accepted ${item}`);
    } catch (error) {
      assertClearConfigError(error, "file.yaml");
      assert.match((error as Error).message, expected, item);
    }
  }
});
