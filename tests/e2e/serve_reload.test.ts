// Config reloads of a running `vitals serve`, end to end
// (src/app/reloader.ts), with main.ts as a real child process: SIGHUP and
// --watch switch to a valid config, reject an invalid, unreadable or deleted
// one naming file and line (a YAML syntax error with its excerpt, a missing
// cwd) while the old checks keep serving, and say when a changed listen
// address needs a restart.

import assert from "node:assert/strict";
import { rm, writeFile } from "node:fs/promises";
import { test } from "node:test";
import { tempFile } from "../_helpers/files.ts";
import { closedPort } from "../_helpers/servers.ts";
import { sleep } from "../_helpers/waits.ts";
import { fetchJson, names, serveConfig, serveWith, signal, stop } from "../_helpers/processes.ts";
import { firstStatus, logged, waitForEntry } from "../_helpers/serve_log.ts";
import { escapeRegExp } from "../_helpers/text.ts";

test("SIGHUP with a valid config switches /health to the new checks and their status", async () => {
  const vitals = await serveConfig(
    "hup.yaml",
    'checks:\n  - {name: a, type: command, command: ["true"]}\n',
  );
  try {
    await firstStatus(vitals, "UP");
    const before = await fetchJson(`${vitals.url}/health`);
    assert.equal(before.status, 200);
    assert.deepEqual(names(before.body), ["a"]);

    await writeFile(
      vitals.path,
      'checks:\n  - {name: a, type: command, command: ["false"]}\n' +
        '  - {name: b, type: command, command: ["true"]}\n',
    );
    signal(vitals, "SIGHUP");
    await waitForEntry(vitals, "info", /^config reloaded \(SIGHUP\): 2 checks; added b; changed a/);

    const after = await fetchJson(`${vitals.url}/health`);
    assert.equal(after.status, 503);
    assert.equal(after.body.status, "DOWN");
    assert.deepEqual(names(after.body), ["a", "b"]);
    assert.deepEqual(after.body.details, ["a: exit code 1"]);
    assert.equal(after.body.checks.find((check) => check.name === "b")?.status, "UP");
    // The switch is logged as a status change too.
    assert.equal(logged(vitals, "warn", /^UP -> DOWN: a: exit code 1/).length, 1, vitals.stderr);
    assert.equal(vitals.child.exitCode, null, "still the same process");
  } finally {
    await stop(vitals);
  }
});

test("SIGHUP with an invalid config is rejected naming file and line; the old checks keep serving until a valid file is loaded", async () => {
  const valid = 'checks:\n  - {name: a, type: command, command: ["true"]}\n';
  const vitals = await serveConfig("reject.yaml", valid);
  try {
    await firstStatus(vitals, "UP");
    assert.equal((await fetchJson(`${vitals.url}/health`)).status, 200);

    // Line 3 has an unknown key; the new check b must not appear.
    await writeFile(
      vitals.path,
      'checks:\n  - {name: a, type: command, command: ["true"]}\n' +
        '  - {name: b, type: command, command: ["false"], colour: red}\n',
    );
    signal(vitals, "SIGHUP");
    const problem = `${
      escapeRegExp(vitals.path)
    }:3:\\d+: checks\\[1\\]\\.colour: unknown key "colour"`;
    const rejection = await waitForEntry(
      vitals,
      "error",
      /^Config reload \(SIGHUP\) rejected, keeping the running config/,
    );
    assert.match(rejection.msg, new RegExp(problem));

    const rejected = await fetchJson(`${vitals.url}/health`);
    assert.equal(rejected.status, 200, "a rejected reload is not critical");
    assert.equal(rejected.body.status, "UP");
    assert.deepEqual(names(rejected.body), ["a"]);
    const configEntries = rejected.body.details.filter((d) => d.startsWith("config: "));
    assert.equal(configEntries.length, 1, JSON.stringify(rejected.body.details));
    assert.match(
      configEntries[0]!,
      new RegExp(`^config: reload rejected, running the previous config: ${problem}`),
    );
    assert.equal(vitals.child.exitCode, null);

    // A valid file again: loaded, and the config entry disappears.
    await writeFile(vitals.path, valid);
    signal(vitals, "SIGHUP");
    await waitForEntry(vitals, "info", /^config reloaded \(SIGHUP\): .*no check changed/);
    const fixed = await fetchJson(`${vitals.url}/health`);
    assert.equal(fixed.status, 200);
    assert.deepEqual(fixed.body.details, []);
    assert.deepEqual(names(fixed.body), ["a"]);
  } finally {
    await stop(vitals);
  }
});

test("SIGHUP with a YAML syntax error or a missing cwd is rejected in one JSON log line, the excerpt inside it", async () => {
  const valid = 'checks:\n  - {name: a, type: command, command: ["true"]}\n';
  const vitals = await serveConfig("syntax.yaml", valid);
  try {
    await firstStatus(vitals, "UP");
    // Line 4 is indented more than "type: command" above it, which has a value.
    await writeFile(
      vitals.path,
      'checks:\n  - name: a\n    type: command\n      command: ["true"]\n',
    );
    signal(vitals, "SIGHUP");
    const problem = `${vitals.path}:4:7: YAML syntax error: bad indentation: ` +
      "this line is indented more than the key above it, which has a value already";
    const rejection = await waitForEntry(vitals, "error", /^Config reload \(SIGHUP\) rejected/);
    assert.equal(
      rejection.msg,
      "Config reload (SIGHUP) rejected, keeping the running config: " +
        `Invalid config "${vitals.path}" (1 problem):\n  ${problem}\n` +
        '    4 |       command: ["true"]\n' +
        "      |       ^",
    );
    // Every line of standard error is still one JSON object.
    for (const line of vitals.stderr.split("\n").filter((line) => line !== "")) {
      assert.doesNotThrow(() => JSON.parse(line), line);
    }
    const details = (await fetchJson(`${vitals.url}/health`)).body.details;
    assert.deepEqual(details, [`config: reload rejected, running the previous config: ${problem}`]);

    await writeFile(
      vitals.path,
      'checks:\n  - {name: a, type: command, command: ["true"], cwd: /nonexistent-vitals-dir}\n',
    );
    signal(vitals, "SIGHUP");
    await waitForEntry(
      vitals,
      "error",
      /checks\[0\]\.cwd: directory "\/nonexistent-vitals-dir" does not exist/,
    );
    assert.equal(vitals.child.exitCode, null);
  } finally {
    await stop(vitals);
  }
});

test("SIGHUP with a bad server.port is rejected and a DOWN status keeps its 503", async () => {
  const valid = 'checks:\n  - {name: a, type: command, command: ["false"]}\n';
  const vitals = await serveConfig("badport.yaml", valid);
  try {
    await firstStatus(vitals, "DOWN");
    assert.equal((await fetchJson(`${vitals.url}/health`)).status, 503);
    await writeFile(vitals.path, `server: {port: 70000}\n${valid}`);
    signal(vitals, "SIGHUP");
    const rejection = await waitForEntry(vitals, "error", /^Config reload \(SIGHUP\) rejected/);
    assert.match(
      rejection.msg,
      /badport\.yaml:1:\d+: server\.port: expected an integer from 0 to 65535/,
    );
    const rejected = await fetchJson(`${vitals.url}/health`);
    assert.equal(rejected.status, 503, "the status code does not change");
    assert.equal(rejected.body.details[0], "a: exit code 1");
    assert.ok(
      rejected.body.details.some((d) => d.startsWith("config: reload rejected")),
      JSON.stringify(rejected.body.details),
    );
  } finally {
    await stop(vitals);
  }
});

test("--watch reloads when the file changes, and a deleted file is rejected while serving continues", async () => {
  const vitals = await serveConfig(
    "watch.yaml",
    'checks:\n  - {name: a, type: command, command: ["true"]}\n',
    { args: ["--watch"] },
  );
  try {
    await firstStatus(vitals, "UP");
    assert.deepEqual(names((await fetchJson(`${vitals.url}/health`)).body), ["a"]);

    await writeFile(
      vitals.path,
      'checks:\n  - {name: a, type: command, command: ["true"]}\n' +
        '  - {name: b, type: command, command: ["false"]}\n',
    );
    await waitForEntry(
      vitals,
      "info",
      /^config reloaded \(config file changed\): 2 checks; added b/,
      5_000,
    );
    const changed = await fetchJson(`${vitals.url}/health`);
    assert.equal(changed.status, 503);
    assert.deepEqual(names(changed.body), ["a", "b"]);
    assert.deepEqual(changed.body.details, ["b: exit code 1"]);

    await rm(vitals.path);
    const rejection = await waitForEntry(
      vitals,
      "error",
      /^Config reload \(config file unreadable\) rejected/,
      5_000,
    );
    assert.match(rejection.msg, /Cannot read config ".*watch\.yaml": file does not exist/);
    const deleted = await fetchJson(`${vitals.url}/health`);
    assert.equal(deleted.status, 503);
    assert.deepEqual(names(deleted.body), ["a", "b"]);
    assert.ok(
      deleted.body.details.some((d) =>
        d.startsWith("config: reload rejected") && d.includes("file does not exist")
      ),
      JSON.stringify(deleted.body.details),
    );
    // One rejection per disappearance, not one per poll (the watcher polls every second).
    await sleep(1_200);
    assert.equal(logged(vitals, "error", /config file unreadable/).length, 1, vitals.stderr);

    // The file comes back: loaded again, and the config entry disappears.
    await writeFile(vitals.path, 'checks:\n  - {name: a, type: command, command: ["true"]}\n');
    await waitForEntry(
      vitals,
      "info",
      /^config reloaded \(config file changed\): .*removed b/,
      5_000,
    );
    const restored = await fetchJson(`${vitals.url}/health`);
    assert.equal(restored.status, 200);
    assert.deepEqual(restored.body.details, []);
    assert.deepEqual(names(restored.body), ["a"]);
    assert.equal(vitals.child.exitCode, null);
  } finally {
    await stop(vitals);
  }
});

test("a server.port change on reload warns that a restart is needed and keeps serving on the old port", async () => {
  const checks = 'checks:\n  - {name: a, type: command, command: ["true"]}\n';
  const { path } = await tempFile("listen.yaml", `server: {host: 127.0.0.1, port: 0}\n${checks}`);
  // No --host/--port flags: the config file decides where vitals listens.
  const vitals = await serveWith(["--config", path]);
  const newPort = await closedPort();
  try {
    await firstStatus(vitals, "UP");
    await writeFile(path, `server: {host: 127.0.0.1, port: ${newPort}}\n${checks}`);
    signal(vitals, "SIGHUP");
    await waitForEntry(vitals, "info", /^config reloaded \(SIGHUP\)/);
    await waitForEntry(
      vitals,
      "warn",
      new RegExp(
        `^server\\.host/server\\.port changed to 127\\.0\\.0\\.1:${newPort}: ` +
          "restart vitals to listen there; still serving on the old address",
      ),
    );
    const old = await fetchJson(`${vitals.url}/health`);
    assert.equal(old.status, 200);
    assert.deepEqual(old.body.details, []);
    await assert.rejects(fetch(`http://127.0.0.1:${newPort}/health`), "nothing listens there");
  } finally {
    await stop(vitals);
  }
});

test("a server.port change on reload does not ask for a restart when --port overrides the file", async () => {
  const checks = 'checks:\n  - {name: a, type: command, command: ["true"]}\n';
  const vitals = await serveConfig("override.yaml", checks); // --host 127.0.0.1 --port 0
  try {
    await firstStatus(vitals, "UP");
    await writeFile(vitals.path, `server: {port: 9090}\n${checks}`);
    signal(vitals, "SIGHUP");
    await waitForEntry(vitals, "info", /^config reloaded \(SIGHUP\)/);
    await sleep(200);
    assert.deepEqual(logged(vitals, "warn", /restart vitals/), [], vitals.stderr);
    assert.equal((await fetchJson(`${vitals.url}/health`)).status, 200);
  } finally {
    await stop(vitals);
  }
});

test("the reload log line counts one check as '1 check'", async () => {
  const vitals = await serveConfig(
    "plural.yaml",
    'checks:\n  - {name: a, type: command, command: ["true"]}\n',
  );
  try {
    await firstStatus(vitals, "UP");
    signal(vitals, "SIGHUP");
    const entry = await waitForEntry(vitals, "info", /^config reloaded \(SIGHUP\)/);
    assert.match(entry.msg, /^config reloaded \(SIGHUP\): 1 check; no check changed/);
  } finally {
    await stop(vitals);
  }
});
