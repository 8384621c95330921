// The serve process's lifecycle end to end, with main.ts as a real child
// process: SIGTERM/SIGINT draining (server.drainDelay), a second signal during
// the drain, SIGHUP and --watch config reloads (valid, invalid, deleted file,
// changed listen address), and `vitals check --wait`.

import assert from "node:assert/strict";
import { rm, writeFile } from "node:fs/promises";
import { test } from "node:test";
import { closedPort, eventually } from "./helpers.ts";
import {
  type Running,
  runVitals,
  serveVitals,
  signal,
  start,
  stop,
  tempFile,
  waitForLog,
} from "./process_helpers.ts";

/** A response's status and parsed JSON body (the body is always consumed). */
async function get(url: string): Promise<{ status: number; body: HealthBody }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() as HealthBody };
}

interface HealthBody {
  status: string;
  details: string[];
  checks: { name: string; status: string; message: string }[];
}

/** The names of the checks in a /health body. */
function names(body: HealthBody): string[] {
  return body.checks.map((check) => check.name).sort();
}

/** One log line of `serve`: its level (lower case) and message. */
interface LogEntry {
  level: string;
  msg: string;
}

/**
 * Parses serve's stderr into entries, whichever log format is in use: JSON
 * lines (`{"level":"info","msg":…}`) or text (`<time> INFO <msg>`, where a
 * multi-line message continues on indented lines).
 */
function logEntries(stderr: string): LogEntry[] {
  const entries: LogEntry[] = [];
  for (const line of stderr.split("\n")) {
    if (line.startsWith("{")) {
      try {
        const parsed = JSON.parse(line) as { level?: unknown; msg?: unknown };
        if (typeof parsed.msg === "string") {
          entries.push({ level: String(parsed.level).toLowerCase(), msg: parsed.msg });
          continue;
        }
      } catch {
        // Not a JSON log line: handled as text below.
      }
    }
    const text = /^\d{4}-\d\d-\d\dT\S+ (DEBUG|INFO|WARN|ERROR) (.*)$/.exec(line);
    const last = entries.at(-1);
    if (text) entries.push({ level: text[1]!.toLowerCase(), msg: text[2]! });
    else if (last && line !== "") last.msg += `\n${line}`;
  }
  return entries;
}

/** The log entries at `level` whose message matches `pattern`. */
function logged(running: Running, level: string, pattern: RegExp): LogEntry[] {
  return logEntries(running.stderr).filter((entry) =>
    entry.level === level && pattern.test(entry.msg)
  );
}

/** Waits for a log entry at `level` whose message matches `pattern`. */
async function waitForEntry(
  running: Running,
  level: string,
  pattern: RegExp,
  timeoutMs = 8_000,
): Promise<LogEntry> {
  let found: LogEntry | undefined;
  const ok = await eventually(() => {
    found = logged(running, level, pattern)[0];
    return found !== undefined;
  }, timeoutMs);
  assert.ok(ok && found, `no ${level} log entry matching ${pattern} in stderr:\n${running.stderr}`);
  return found;
}

/** Escapes `text` for use inside a RegExp. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The exit code, or "still running" if the process has not exited within `ms`. */
async function exitWithin(running: Running, ms: number): Promise<number | string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve("still running"), ms);
  });
  try {
    return await Promise.race([running.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Starts `vitals serve` with `args` and waits until it listens. */
async function serveWith(args: string[]): Promise<Running & { url: string }> {
  const running = start(["serve", ...args]);
  try {
    const match = await waitForLog(running, /listening on (http:\/\/127\.0\.0\.1:\d+)/, 10_000);
    return Object.assign(running, { url: match[1]! });
  } catch (error) {
    await stop(running);
    throw error;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for the first evaluation's status line, so the cache is warm. */
const firstStatus = (running: Running, status: "UP" | "DOWN") =>
  waitForEntry(running, status === "UP" ? "info" : "warn", new RegExp(`^status ${status}\\b`));

test("SIGTERM with a drainDelay: readiness answers 503 'shutting down' while liveness stays 200, then vitals exits 0 by itself", async () => {
  const { path } = await tempFile(
    "drain.yaml",
    "server: {drainDelay: 1500ms}\n" +
      'checks:\n  - {name: app, type: command, command: ["true"], groups: [live, ready]}\n',
  );
  const vitals = await serveVitals(path);
  try {
    await firstStatus(vitals, "UP");
    assert.equal((await get(`${vitals.url}/health/ready`)).status, 200);

    const signalled = performance.now();
    signal(vitals, "SIGTERM");
    await waitForEntry(
      vitals,
      "info",
      /^SIGTERM received: readiness is DOWN; stopping in 1500 ms \(server\.drainDelay\)/,
    );
    const ready = await get(`${vitals.url}/health/ready`);
    assert.equal(ready.status, 503);
    assert.equal(ready.body.status, "DOWN");
    assert.equal(ready.body.details[0], "shutting down", JSON.stringify(ready.body));
    const live = await get(`${vitals.url}/health/live`);
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
  const { path } = await tempFile(
    "nodrain.yaml",
    'checks:\n  - {name: app, type: command, command: ["true"]}\n',
  );
  const vitals = await serveVitals(path);
  try {
    await firstStatus(vitals, "UP");
    assert.equal((await get(`${vitals.url}/health`)).status, 200);
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
  const { path } = await tempFile(
    "sigint.yaml",
    "server: {drainDelay: 300ms}\n" +
      'checks:\n  - {name: app, type: command, command: ["true"]}\n',
  );
  const vitals = await serveVitals(path);
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
  const { path } = await tempFile(
    "twice.yaml",
    "server: {drainDelay: 20s}\n" +
      'checks:\n  - {name: app, type: command, command: ["true"]}\n',
  );
  const vitals = await serveVitals(path);
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

test("SIGHUP with a valid config switches /health to the new checks and their status", async () => {
  const { path } = await tempFile(
    "hup.yaml",
    'checks:\n  - {name: a, type: command, command: ["true"]}\n',
  );
  const vitals = await serveVitals(path);
  try {
    await firstStatus(vitals, "UP");
    const before = await get(`${vitals.url}/health`);
    assert.equal(before.status, 200);
    assert.deepEqual(names(before.body), ["a"]);

    await writeFile(
      path,
      'checks:\n  - {name: a, type: command, command: ["false"]}\n' +
        '  - {name: b, type: command, command: ["true"]}\n',
    );
    signal(vitals, "SIGHUP");
    await waitForEntry(vitals, "info", /^config reloaded \(SIGHUP\): 2 checks; added b; changed a/);

    const after = await get(`${vitals.url}/health`);
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
  const { path } = await tempFile("reject.yaml", valid);
  const vitals = await serveVitals(path);
  try {
    await firstStatus(vitals, "UP");
    assert.equal((await get(`${vitals.url}/health`)).status, 200);

    // Line 3 has an unknown key; the new check b must not appear.
    await writeFile(
      path,
      'checks:\n  - {name: a, type: command, command: ["true"]}\n' +
        '  - {name: b, type: command, command: ["false"], colour: red}\n',
    );
    signal(vitals, "SIGHUP");
    const problem = `${escape(path)}:3:\\d+: checks\\[1\\]\\.colour: unknown key "colour"`;
    const rejection = await waitForEntry(
      vitals,
      "error",
      /^Config reload \(SIGHUP\) rejected, keeping the running config/,
    );
    assert.match(rejection.msg, new RegExp(problem));

    const rejected = await get(`${vitals.url}/health`);
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
    await writeFile(path, valid);
    signal(vitals, "SIGHUP");
    await waitForEntry(vitals, "info", /^config reloaded \(SIGHUP\): .*no check changed/);
    const fixed = await get(`${vitals.url}/health`);
    assert.equal(fixed.status, 200);
    assert.deepEqual(fixed.body.details, []);
    assert.deepEqual(names(fixed.body), ["a"]);
  } finally {
    await stop(vitals);
  }
});

test("SIGHUP with a bad server.port is rejected and a DOWN status keeps its 503", async () => {
  const valid = 'checks:\n  - {name: a, type: command, command: ["false"]}\n';
  const { path } = await tempFile("badport.yaml", valid);
  const vitals = await serveVitals(path);
  try {
    await firstStatus(vitals, "DOWN");
    assert.equal((await get(`${vitals.url}/health`)).status, 503);
    await writeFile(path, `server: {port: 70000}\n${valid}`);
    signal(vitals, "SIGHUP");
    const rejection = await waitForEntry(vitals, "error", /^Config reload \(SIGHUP\) rejected/);
    assert.match(
      rejection.msg,
      /badport\.yaml:1:\d+: server\.port: expected an integer from 0 to 65535/,
    );
    const rejected = await get(`${vitals.url}/health`);
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
  const { path } = await tempFile(
    "watch.yaml",
    'checks:\n  - {name: a, type: command, command: ["true"]}\n',
  );
  const vitals = await serveWith([
    "--config",
    path,
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    "--watch",
  ]);
  try {
    await firstStatus(vitals, "UP");
    assert.deepEqual(names((await get(`${vitals.url}/health`)).body), ["a"]);

    await writeFile(
      path,
      'checks:\n  - {name: a, type: command, command: ["true"]}\n' +
        '  - {name: b, type: command, command: ["false"]}\n',
    );
    await waitForEntry(
      vitals,
      "info",
      /^config reloaded \(config file changed\): 2 checks; added b/,
      5_000,
    );
    const changed = await get(`${vitals.url}/health`);
    assert.equal(changed.status, 503);
    assert.deepEqual(names(changed.body), ["a", "b"]);
    assert.deepEqual(changed.body.details, ["b: exit code 1"]);

    await rm(path);
    const rejection = await waitForEntry(
      vitals,
      "error",
      /^Config reload \(config file unreadable\) rejected/,
      5_000,
    );
    assert.match(rejection.msg, /Cannot read config ".*watch\.yaml": file does not exist/);
    const deleted = await get(`${vitals.url}/health`);
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
    await writeFile(path, 'checks:\n  - {name: a, type: command, command: ["true"]}\n');
    await waitForEntry(
      vitals,
      "info",
      /^config reloaded \(config file changed\): .*removed b/,
      5_000,
    );
    const restored = await get(`${vitals.url}/health`);
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
    const old = await get(`${vitals.url}/health`);
    assert.equal(old.status, 200);
    assert.deepEqual(old.body.details, []);
    await assert.rejects(fetch(`http://127.0.0.1:${newPort}/health`), "nothing listens there");
  } finally {
    await stop(vitals);
  }
});

test("a server.port change on reload does not ask for a restart when --port overrides the file", async () => {
  const checks = 'checks:\n  - {name: a, type: command, command: ["true"]}\n';
  const { path } = await tempFile("override.yaml", checks);
  const vitals = await serveVitals(path); // --host 127.0.0.1 --port 0
  try {
    await firstStatus(vitals, "UP");
    await writeFile(path, `server: {port: 9090}\n${checks}`);
    signal(vitals, "SIGHUP");
    await waitForEntry(vitals, "info", /^config reloaded \(SIGHUP\)/);
    await sleep(200);
    assert.deepEqual(logged(vitals, "warn", /restart vitals/), [], vitals.stderr);
    assert.equal((await get(`${vitals.url}/health`)).status, 200);
  } finally {
    await stop(vitals);
  }
});

test("the reload log line counts one check as '1 check'", async () => {
  const { path } = await tempFile(
    "plural.yaml",
    'checks:\n  - {name: a, type: command, command: ["true"]}\n',
  );
  const vitals = await serveVitals(path);
  try {
    await firstStatus(vitals, "UP");
    signal(vitals, "SIGHUP");
    const entry = await waitForEntry(vitals, "info", /^config reloaded \(SIGHUP\)/);
    assert.match(entry.msg, /^config reloaded \(SIGHUP\): 1 check; no check changed/);
  } finally {
    await stop(vitals);
  }
});

test("check --wait exits 0 once a check that starts DOWN turns UP", async () => {
  const { dir } = await tempFile("unused", "");
  const flag = `${dir}/ready`;
  const { path } = await tempFile(
    "wait.yaml",
    `checks:\n  - {name: flag, type: command, command: ["sh", "-c", "test -e ${flag}"]}\n`,
  );
  const started = performance.now();
  const result = runVitals(["check", "--wait", "10s", "--config", path], { timeoutMs: 15_000 });
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
  const { path } = await tempFile(
    "waitdown.yaml",
    'checks:\n  - {name: never, type: command, command: ["false"]}\n',
  );
  const started = performance.now();
  const { code, stdout, stderr } = await runVitals(
    ["check", "--wait", "2s", "--json", "--config", path],
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
  const { path } = await tempFile(
    "waitbad.yaml",
    'checks:\n  - {name: a, type: command, command: ["true"]}\n',
  );
  const result = await runVitals(["check", "--wait", "nonsense", "--config", path]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /Invalid --wait "nonsense": expected a duration such as 30s/);
  assert.match(result.stderr, /vitals check --help/);
  assert.equal(result.stdout, "");
});
