// The command line end to end (src/cli/run.ts and the option table behind
// it), with main.ts as a real child process (deno run or bun): usage errors,
// --help and --version, `vitals schema`, where the config path comes from, and
// a missing config file (with a hint when the default was used).

import assert from "node:assert/strict";
import { test } from "node:test";
import { rm } from "node:fs/promises";
import { tempDir, tempFile } from "../_helpers/files.ts";
import { runVitals, start, stop, vitalsCommandAnywhere } from "../_helpers/processes.ts";

test("usage errors exit 2: unknown command, unknown flag, bad port", async () => {
  const unknown = await runVitals(["frobnicate"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
  const flag = await runVitals(["check", "--bogus"]);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /--bogus/);
  assert.match(flag.stderr, /vitals check --help/);
  const port = await runVitals(["serve", "--port", "99999"]);
  assert.equal(port.code, 2);
  assert.match(port.stderr, /Invalid --port "99999": expected an integer from 0 to 65535/);
});

test("--help on every subcommand and --version exit 0", async () => {
  for (const command of ["serve", "check", "validate", "schema"]) {
    const result = await runVitals([command, "--help"]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, new RegExp(`Usage: vitals (\\[)?${command}`));
  }
  const version = await runVitals(["--version"]);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^vitals \d+\.\d+\.\d+ \((deno|bun) /);
});

test("schema prints the config's JSON Schema", async () => {
  const result = await runVitals(["schema"]);
  assert.equal(result.code, 0);
  const schema = JSON.parse(result.stdout);
  assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
  assert.ok(schema.properties.checks);
});

test("the config path comes from VITALS_CONFIG when --config is absent", async () => {
  const { path } = await tempFile("env.yaml", "checks:\n  - {name: a, type: tcp, port: 1}\n");
  const result = await runVitals(["validate"], { env: { VITALS_CONFIG: path } });
  assert.equal(result.code, 0);
  assert.match(result.stdout, /config OK: 1 check in/);
});

test("without --config or VITALS_CONFIG, a missing vitals.yaml names both ways to pass a config", async () => {
  const dir = await tempDir();
  try {
    const options = { command: vitalsCommandAnywhere(), cwd: dir, unset: ["VITALS_CONFIG"] };
    for (const command of ["validate", "check", "serve"]) {
      const result = await runVitals([command], options);
      assert.equal(result.code, 2, `${command}: ${result.stderr}`);
      assert.equal(
        result.stderr.trim(),
        'Cannot read config "vitals.yaml": file does not exist ' +
          "(the default: pass --config FILE or set VITALS_CONFIG)",
        command,
      );
    }
    const named = await runVitals(["validate"], {
      ...options,
      env: { VITALS_CONFIG: `${dir}/missing.yaml` },
      unset: [],
    });
    assert.equal(named.code, 2);
    assert.equal(
      named.stderr.trim(),
      `Cannot read config "${dir}/missing.yaml": file does not exist (named by VITALS_CONFIG)`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a missing config file exits 2 with a clear message", async () => {
  const result = await runVitals(["check", "--config", "/nonexistent/vitals.yaml"]);
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr.trim(),
    'Cannot read config "/nonexistent/vitals.yaml": file does not exist',
  );
});

test("a process that exits by itself is not stopped by a stray start()", async () => {
  // Guards the helper: start() + stop() must not hang on an already-exited child.
  const running = start(["--version"]);
  assert.equal(await running.exited, 0);
  await stop(running);
  assert.match(running.stdout, /^vitals /);
});
