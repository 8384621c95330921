// How `vitals serve` stops, end to end (src/cli/serve.ts and
// src/cli/shutdown.ts), with main.ts as a real child process: SIGTERM and
// SIGINT exit 0 after answering in-flight requests and leave no check process
// behind; with server.drainDelay readiness answers 503 "shutting down" first
// while liveness stays 200; a second signal during the drain exits 1 at once.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { tempDir } from "../_helpers/files.ts";
import { processExists } from "../_helpers/pids.ts";
import { eventually, sleep } from "../_helpers/waits.ts";
import {
  exitWithin,
  fetchJson,
  serveConfig,
  signal,
  stop,
  waitForLog,
} from "../_helpers/processes.ts";
import { firstStatus, logEntries, logged, waitForEntry } from "../_helpers/serve_log.ts";

test("SIGTERM exits 0 within the grace bound and leaves no check process behind", async () => {
  const dir = await tempDir();
  const pidFile = `${dir}/pid`;
  const vitals = await serveConfig(
    "term.yaml",
    `checks:\n  - {name: slow, type: command, timeout: 60s, command: ["sh", "-c", "echo $$ > ${pidFile}; exec sleep 60"]}\n`,
  );
  try {
    // Start-up runs the checks once, so the slow command is running now.
    assert.ok(
      await eventually(
        async () => (await readFile(pidFile, "utf8").catch(() => "")).trim() !== "",
        5_000,
      ),
    );
    const pid = Number((await readFile(pidFile, "utf8")).trim());
    assert.ok(processExists(pid));
    const started = performance.now();
    signal(vitals, "SIGTERM");
    const code = await vitals.exited;
    const elapsed = performance.now() - started;
    assert.equal(code, 0, vitals.stderr);
    assert.ok(elapsed < 7_000, `took ${elapsed} ms`);
    assert.match(vitals.stderr, /SIGTERM received/);
    assert.ok(await eventually(() => !processExists(pid), 2_000), `check process ${pid} survived`);
  } finally {
    await stop(vitals);
  }
});

test("an in-flight request is answered before shutdown completes", async () => {
  const vitals = await serveConfig(
    "inflight.yaml",
    `cache: {ttl: 0}\nchecks:\n  - {name: slow, type: command, command: ["sleep", "0.5"]}\n`,
  );
  try {
    await waitForLog(vitals, /status UP/);
    const pending = fetch(`${vitals.url}/health/simple`);
    await sleep(100);
    signal(vitals, "SIGTERM");
    const response = await pending;
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: "UP" });
    assert.equal(await vitals.exited, 0);
  } finally {
    await stop(vitals);
  }
});

test("SIGTERM with a drainDelay: readiness answers 503 'shutting down' while liveness stays 200, then vitals exits 0 by itself", async () => {
  const vitals = await serveConfig(
    "drain.yaml",
    "server: {drainDelay: 1500ms}\n" +
      'checks:\n  - {name: app, type: command, command: ["true"], groups: [live, ready]}\n',
  );
  try {
    await firstStatus(vitals, "UP");
    assert.equal((await fetchJson(`${vitals.url}/health/ready`)).status, 200);

    const signalled = performance.now();
    signal(vitals, "SIGTERM");
    await waitForEntry(
      vitals,
      "info",
      /^SIGTERM received: readiness is DOWN; stopping in 1500 ms \(server\.drainDelay\)/,
    );
    const ready = await fetchJson(`${vitals.url}/health/ready`);
    assert.equal(ready.status, 503);
    assert.equal(ready.body.status, "DOWN");
    assert.equal(ready.body.details[0], "shutting down", JSON.stringify(ready.body));
    const live = await fetchJson(`${vitals.url}/health/live`);
    assert.equal(live.status, 200);
    assert.equal(live.body.status, "UP");
    const simple = await fetch(`${vitals.url}/health/ready/simple`);
    assert.equal(simple.status, 503);
    assert.deepEqual(await simple.json(), { status: "DOWN" });
    assert.ok(performance.now() - signalled < 1_500, "the probes were answered within the delay");
    assert.equal(vitals.child.exitCode, null, "still running during the drain delay");

    const code = await exitWithin(vitals, 8_000);
    const elapsed = performance.now() - signalled;
    assert.equal(code, 0, vitals.stderr);
    assert.ok(elapsed >= 1_400, `exited ${Math.round(elapsed)} ms after SIGTERM, before the delay`);
    // The order the operator sees: drain, then finish in-flight requests, then stopped.
    const messages = logEntries(vitals.stderr).map((entry) => entry.msg);
    const drainAt = messages.findIndex((msg) => msg.includes("readiness is DOWN"));
    const finishAt = messages.findIndex((msg) => msg.includes("finishing in-flight requests"));
    const stoppedAt = messages.findIndex((msg) => /^stopped\b/.test(msg));
    assert.ok(drainAt >= 0 && drainAt < finishAt && finishAt < stoppedAt, vitals.stderr);
  } finally {
    await stop(vitals);
  }
});

test("SIGTERM with drainDelay 0 (the default) skips the drain and exits 0 promptly", async () => {
  const vitals = await serveConfig(
    "nodrain.yaml",
    'checks:\n  - {name: app, type: command, command: ["true"]}\n',
  );
  try {
    await firstStatus(vitals, "UP");
    assert.equal((await fetchJson(`${vitals.url}/health`)).status, 200);
    const signalled = performance.now();
    signal(vitals, "SIGTERM");
    const code = await exitWithin(vitals, 8_000);
    const elapsed = performance.now() - signalled;
    assert.equal(code, 0, vitals.stderr);
    assert.ok(elapsed < 3_000, `took ${Math.round(elapsed)} ms`);
    assert.equal(logged(vitals, "info", /^SIGTERM received: finishing in-flight/).length, 1);
    assert.equal(logged(vitals, "info", /readiness is DOWN/).length, 0);
    assert.equal(logged(vitals, "info", /^stopped\b/).length, 1, vitals.stderr);
  } finally {
    await stop(vitals);
  }
});

test("SIGINT drains like SIGTERM and names itself in the log", async () => {
  const vitals = await serveConfig(
    "sigint.yaml",
    "server: {drainDelay: 300ms}\n" +
      'checks:\n  - {name: app, type: command, command: ["true"]}\n',
  );
  try {
    await firstStatus(vitals, "UP");
    signal(vitals, "SIGINT");
    await waitForEntry(vitals, "info", /^SIGINT received: readiness is DOWN; stopping in 300 ms/);
    assert.equal(await exitWithin(vitals, 8_000), 0, vitals.stderr);
    assert.equal(logged(vitals, "info", /^stopped\b/).length, 1, vitals.stderr);
  } finally {
    await stop(vitals);
  }
});

test("a second SIGTERM during the drain delay exits 1 at once", async () => {
  const vitals = await serveConfig(
    "twice.yaml",
    "server: {drainDelay: 20s}\n" +
      'checks:\n  - {name: app, type: command, command: ["true"]}\n',
  );
  try {
    await firstStatus(vitals, "UP");
    signal(vitals, "SIGTERM");
    await waitForEntry(vitals, "info", /readiness is DOWN; stopping in 20000 ms/);
    // Still draining: the first signal alone does not end the process.
    assert.equal(await exitWithin(vitals, 300), "still running");
    const second = performance.now();
    signal(vitals, "SIGTERM");
    const code = await exitWithin(vitals, 3_000);
    const elapsed = performance.now() - second;
    assert.equal(code, 1, vitals.stderr);
    assert.ok(elapsed < 2_000, `took ${Math.round(elapsed)} ms`);
    assert.equal(logged(vitals, "warn", /^second signal: exiting at once/).length, 1);
    assert.equal(logged(vitals, "info", /^stopped\b/).length, 0);
  } finally {
    await stop(vitals);
  }
});
