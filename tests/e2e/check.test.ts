// `vitals check` end to end (src/cli/check.ts), with main.ts as a real child
// process: the exit code, the table with the reasons of DOWN and WARN checks
// or the --json body, and --wait retrying until the checks are UP or the wait
// is over.

import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { test } from "node:test";
import { tempDir } from "../_helpers/files.ts";
import { closedPort } from "../_helpers/servers.ts";
import { sleep } from "../_helpers/waits.ts";
import { runWithConfig } from "../_helpers/processes.ts";

test("check exits 0 when UP and prints a table with every check", async () => {
  const result = await runWithConfig(
    ["check"],
    "up.yaml",
    'checks:\n  - {name: ok, type: command, command: ["true"]}\n',
  );
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^STATUS\s+CHECK\s+TYPE/);
  assert.match(result.stdout, /UP\s+ok\s+command\s+yes/);
  assert.match(result.stdout, /status: UP \(1 check /);
});

test("check lists each DOWN and WARN check's name and message below the table's status line", async () => {
  const port = await closedPort();
  const result = await runWithConfig(
    ["check"],
    "reasons.yaml",
    "checks:\n" +
      '  - {name: ok, type: command, command: ["true"]}\n' +
      `  - {name: db, type: tcp, port: ${port}}\n` +
      '  - {name: disk, type: command, nagios: true, command: ["sh", "-c", "echo DISK WARNING; exit 1"]}\n',
  );
  assert.equal(result.code, 1, result.stderr);
  const [table, why] = result.stdout.trimEnd().split(/\nstatus: DOWN \(3 checks at [^)]+\)\n/);
  assert.match(table ?? "", /^STATUS\s+CHECK/);
  assert.equal(
    why,
    `  db: cannot connect to 127.0.0.1:${port}: connection refused\n  disk (WARN): DISK WARNING`,
  );
});

test("check exits 1 when a critical check is DOWN, and --json prints the /health body", async () => {
  const port = await closedPort();
  const result = await runWithConfig(
    ["check", "--json"],
    "down.yaml",
    `checks:\n  - {name: db, type: tcp, port: ${port}}\n`,
  );
  assert.equal(result.code, 1);
  const body = JSON.parse(result.stdout);
  assert.equal(body.status, "DOWN");
  assert.deepEqual(body.details, [`db: cannot connect to 127.0.0.1:${port}: connection refused`]);
  assert.equal(body.checks[0].name, "db");
});

test("check --wait exits 0 once a check that starts DOWN turns UP", async () => {
  const dir = await tempDir();
  const flag = `${dir}/ready`;
  const started = performance.now();
  const result = runWithConfig(
    ["check", "--wait", "10s"],
    "wait.yaml",
    `checks:\n  - {name: flag, type: command, command: ["sh", "-c", "test -e ${flag}"]}\n`,
    { timeoutMs: 15_000 },
  );
  const created = sleep(1_500).then(() => writeFile(flag, ""));
  const { code, stdout, stderr } = await result;
  await created;
  const elapsed = performance.now() - started;
  assert.equal(code, 0, stderr);
  assert.ok(elapsed >= 1_500, `exited after ${Math.round(elapsed)} ms, before the flag existed`);
  assert.ok(elapsed < 8_000, `took ${Math.round(elapsed)} ms`);
  assert.match(stderr, /vitals: DOWN \(flag: exit code 1\); retrying for \d+ s more/);
  assert.match(stdout, /UP\s+flag\s+command/);
  assert.match(stdout, /status: UP/);
});

test("check --wait exits 1 after the wait when a check stays DOWN, logging each retry", async () => {
  const started = performance.now();
  const { code, stdout, stderr } = await runWithConfig(
    ["check", "--wait", "2s", "--json"],
    "waitdown.yaml",
    'checks:\n  - {name: never, type: command, command: ["false"]}\n',
    { timeoutMs: 15_000 },
  );
  const elapsed = performance.now() - started;
  assert.equal(code, 1, stderr);
  assert.ok(elapsed >= 1_900, `gave up after ${Math.round(elapsed)} ms`);
  assert.ok(elapsed < 8_000, `took ${Math.round(elapsed)} ms`);
  const retries = stderr.match(/^vitals: DOWN \(never: exit code 1\); retrying for \d+ s more$/gm);
  assert.ok(retries !== null && retries.length >= 2, stderr);
  assert.match(stderr, /retrying for 2 s more/);
  const body = JSON.parse(stdout);
  assert.equal(body.status, "DOWN");
  assert.deepEqual(body.details, ["never: exit code 1"]);
});

test("check --wait with a bad duration exits 2 naming --wait", async () => {
  const result = await runWithConfig(
    ["check", "--wait", "nonsense"],
    "waitbad.yaml",
    'checks:\n  - {name: a, type: command, command: ["true"]}\n',
  );
  assert.equal(result.code, 2);
  assert.match(
    result.stderr,
    /^vitals: Invalid --wait "nonsense": expected a duration such as 250ms, 5s, 1m30s or 1h$/m,
  );
  assert.match(result.stderr, /vitals check --help/);
  assert.equal(result.stdout, "");
});

test("check --wait with a bare number exits 2 showing both readings; --wait 0 needs no unit", async () => {
  const config = 'checks:\n  - {name: a, type: command, command: ["true"]}\n';
  const bare = await runWithConfig(["check", "--wait", "30"], "waitbare.yaml", config);
  assert.equal(bare.code, 2);
  assert.match(
    bare.stderr,
    /^vitals: Invalid --wait "30": expected a duration with a unit: write 30s or 30ms$/m,
  );
  assert.equal(bare.stdout, "");
  const zero = await runWithConfig(["check", "--wait", "0"], "waitzero.yaml", config);
  assert.equal(zero.code, 0, zero.stderr);
});
