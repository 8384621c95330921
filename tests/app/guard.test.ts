// The guard's policy (src/app/guard.ts): every uncaught error is counted; the
// first of each distinct one is logged with its stack, masked; repeats become
// one line per window; a flood of distinct errors cannot flood the log; odd
// thrown values and a failing log never make the guard throw. Then the
// platform's hook (Platform.onUncaught), in a child process on the runtime
// under test: only the latest listener hears an error, and with none left the
// runtime's own exit is back. Real uncaught errors inside a running vitals are
// tests/e2e/guard.test.ts.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import process from "node:process";
import { test } from "node:test";
import { configSecrets, createGuard, type GuardOptions } from "../../src/app/guard.ts";
import { parseConfig } from "../../src/config/load.ts";
import { InternalErrorCounter, renderMetrics, RequestCounter } from "../../src/http/metrics.ts";
import { Health } from "../../src/engine/health.ts";
import { createLogger } from "../../src/log.ts";
import { ROOT, tempDir } from "../_helpers/files.ts";

/** A timer the test fires by hand. */
function manualTimer() {
  const pending = new Set<{ ms: number; callback: () => void }>();
  return {
    after(ms: number, callback: () => void) {
      const entry = { ms, callback };
      pending.add(entry);
      return () => void pending.delete(entry);
    },
    /** Fires every pending timer; returns the delays they were set for. */
    fire(): number[] {
      const due = [...pending];
      pending.clear();
      for (const entry of due) entry.callback();
      return due.map((entry) => entry.ms);
    },
    get pending() {
      return pending.size;
    },
  };
}

interface Logged {
  level: string;
  msg: string;
  stack?: string;
}

function setup(options: Partial<GuardOptions> = {}) {
  const lines: Logged[] = [];
  const timer = manualTimer();
  const counter = new InternalErrorCounter();
  const log = createLogger({ format: "json", write: (line) => lines.push(JSON.parse(line)) });
  const clock = { now: () => 0, date: () => new Date(0), setTimer: timer.after };
  const guard = createGuard({ log, counter, clock, ...options });
  return { lines, timer, counter, guard };
}

test("every error is counted, and the first of each distinct one is logged at error level with its stack", () => {
  const { lines, counter, guard } = setup();
  const boom = new Error("boom");
  guard.report(boom, "exception");
  guard.report(new Error("boom"), "exception");
  guard.report(new TypeError("other"), "exception");
  guard.report(new Error("boom"), "rejection");
  assert.equal(counter.count, 4);
  assert.deepEqual(lines.map((line) => [line.level, line.msg]), [
    ["error", "Uncaught error, vitals keeps running: Error: boom"],
    ["error", "Uncaught error, vitals keeps running: TypeError: other"],
    ["error", "Unhandled promise rejection, vitals keeps running: Error: boom"],
  ]);
  assert.equal(lines[0]!.stack, boom.stack);
  assert.match(lines[1]!.stack!, /^TypeError: other\n\s+at /);
});

test("repeats become one line per window with their count; an error quiet for a window is logged again", () => {
  const { lines, counter, guard, timer } = setup({ windowMs: 60_000 });
  for (let i = 0; i < 500; i++) guard.report(new Error("hot loop"), "exception");
  assert.equal(counter.count, 500);
  assert.equal(lines.length, 1, "a hot loop logs one line, not 500");
  assert.deepEqual(timer.fire(), [60_000]);
  assert.deepEqual(lines.slice(1).map((line) => line.msg), [
    "Uncaught error repeated 499 times in the last 60 s: Error: hot loop",
  ]);
  guard.report(new Error("hot loop"), "exception");
  timer.fire();
  assert.equal(
    lines.at(-1)!.msg,
    "Uncaught error repeated 1 time in the last 60 s: Error: hot loop",
  );
  // A window without it forgets it; no timer is left running while nothing comes.
  timer.fire();
  assert.equal(timer.pending, 0);
  const count = lines.length;
  guard.report(new Error("hot loop"), "exception");
  assert.equal(lines.length, count + 1);
  assert.ok(lines.at(-1)!.stack, "back after a quiet window: its stack again");
});

test("past newPerWindow distinct errors a window, errors are counted and summed up, not logged", () => {
  const { lines, counter, guard, timer } = setup({ newPerWindow: 3 });
  for (let i = 0; i < 50; i++) guard.report(new Error(`port ${40_000 + i} refused`), "exception");
  assert.equal(counter.count, 50);
  assert.equal(lines.length, 3);
  timer.fire();
  assert.equal(
    lines.at(-1)!.msg,
    "47 uncaught errors in the last 60 s not logged: more than 3 different ones (vitals_internal_errors_total counts them)",
  );
  // The next window logs new ones again.
  guard.report(new Error("a new one"), "exception");
  assert.equal(lines.at(-1)!.msg, "Uncaught error, vitals keeps running: Error: a new one");
});

test("the remembered errors are bounded: past the bound, new ones are counted, not kept", () => {
  const { lines, counter, guard, timer } = setup({ newPerWindow: 1_000, remembered: 5 });
  for (let i = 0; i < 20; i++) guard.report(new Error(`distinct ${i}`), "exception");
  assert.equal(counter.count, 20);
  assert.equal(lines.length, 5);
  timer.fire();
  assert.match(lines.at(-1)!.msg, /^15 uncaught errors in the last 60 s not logged/);
});

test("config secrets and URL credentials are masked in the message and the stack", () => {
  const { lines, guard } = setup();
  const config = parseConfig(
    [
      "server:",
      "  detailsToken: details-t0ken",
      "checks:",
      '  - {name: a, type: http, url: "http://127.0.0.1:1/", headers: {Authorization: "Bearer abc123xyz"}}',
      '  - {name: b, type: command, command: ["true"], env: {PASS: "hunter2-pw"}}',
    ].join("\n"),
    "guard.yaml",
    {},
  );
  guard.maskWith(() => configSecrets(config));
  guard.report(
    new Error("sent abc123xyz and hunter2-pw and details-t0ken to http://user:pw@10.0.0.5/x"),
    "exception",
  );
  const [line] = lines;
  assert.equal(
    line!.msg,
    "Uncaught error, vitals keeps running: Error: sent *** and *** and *** to http://***@10.0.0.5/x",
  );
  for (const secret of ["abc123xyz", "hunter2-pw", "details-t0ken", "user:pw"]) {
    assert.ok(!line!.stack!.includes(secret), `${secret} masked in the stack`);
  }
  assert.deepEqual(configSecrets(config), [
    "Bearer abc123xyz",
    "details-t0ken",
    "hunter2-pw",
    "abc123xyz",
  ]);
});

test("any thrown value is described without a throw, and a huge message is cut", () => {
  const { lines, counter, guard } = setup();
  const hostile = {
    get message(): string {
      throw new Error("no");
    },
  };
  const throwsOnRead = Object.create(Error.prototype, {
    name: {
      get() {
        throw new Error("no");
      },
    },
  });
  guard.report("a string", "exception");
  guard.report(undefined, "rejection");
  guard.report(42, "exception");
  guard.report(hostile, "exception");
  guard.report(throwsOnRead, "exception");
  guard.report(new Error("x".repeat(100_000)), "exception");
  assert.equal(counter.count, 6);
  assert.deepEqual(lines.slice(0, 5).map((line) => line.msg), [
    'Uncaught error, vitals keeps running: "a string" (thrown as string, not an Error: no stack)',
    "Unhandled promise rejection, vitals keeps running: undefined (thrown as undefined, not an Error: no stack)",
    "Uncaught error, vitals keeps running: 42 (thrown as number, not an Error: no stack)",
    "Uncaught error, vitals keeps running: [object Object] (thrown as object, not an Error: no stack)",
    "Uncaught error, vitals keeps running: a value that cannot be shown (it throws when read)",
  ]);
  assert.ok(lines[5]!.msg.length < 1_200, `cut to about 1000 characters: ${lines[5]!.msg.length}`);
  assert.match(lines[5]!.msg, /… \(99\d\d\d more characters\)$/);
  assert.ok(lines[5]!.stack!.length < 8_200);
});

test("a log that throws never makes the guard throw, and every error is still counted", () => {
  const counter = new InternalErrorCounter();
  const timer = manualTimer();
  const log = createLogger({
    write: () => {
      throw new Error("EPIPE: standard error is closed");
    },
  });
  const clock = { now: () => 0, date: () => new Date(0), setTimer: timer.after };
  const guard = createGuard({ log, counter, clock });
  guard.report(new Error("a"), "exception");
  guard.report(new Error("a"), "exception");
  assert.doesNotThrow(() => timer.fire());
  assert.doesNotThrow(() => guard.close());
  assert.equal(counter.count, 2);
});

test("close logs the repeats not yet told and stops the timer", () => {
  const { lines, guard, timer } = setup();
  guard.report(new Error("a"), "exception");
  guard.report(new Error("a"), "exception");
  assert.equal(timer.pending, 1);
  guard.close();
  assert.equal(timer.pending, 0);
  assert.equal(
    lines.at(-1)!.msg,
    "Uncaught error repeated 1 time before the guard stopped: Error: a",
  );
  guard.report(new Error("b"), "exception");
  assert.equal(timer.pending, 0, "no timer after close");
});

test("vitals_internal_errors_total is a counter that is there from the start", async () => {
  const health = new Health({ checks: [], ttl: 30_000, poolSize: 1 });
  await health.evaluate();
  const counter = new InternalErrorCounter();
  const render = () => renderMetrics(health, new RequestCounter(), "test", 0, counter);
  assert.match(
    render(),
    /\n# HELP vitals_internal_errors_total .+\n# TYPE vitals_internal_errors_total counter\nvitals_internal_errors_total 0\n/,
  );
  counter.add();
  counter.add();
  assert.match(render(), /\nvitals_internal_errors_total 2\n/);
  assert.match(
    renderMetrics(health, new RequestCounter(), "test", 0),
    /\nvitals_internal_errors_total 0\n/,
  );
  health.close();
});

// ---------------------------------------------------------------------------
// The platform's hook, in a child process on the runtime under test

const HOOK_SCRIPT = `
import { detectPlatform } from "${ROOT}src/platform/mod.ts";
const platform = detectPlatform();
const heard = [];
const first = platform.onUncaught((error, kind) => heard.push("first " + kind + " " + error.message));
const second = platform.onUncaught((error, kind) => heard.push("second " + kind + " " + error.message));
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));
setTimeout(() => { throw new Error("one"); }, 0);
await tick();
void Promise.reject(new Error("two"));
await tick();
second();
second(); // a second call changes nothing
setTimeout(() => { throw new Error("three"); }, 0);
await tick();
first();
console.log(JSON.stringify(heard));
setTimeout(() => { throw new Error("four: nobody listens"); }, 0);
await tick();
console.log("still running");
`;

test("onUncaught: only the latest listener hears an error, and with none the runtime exits again", async () => {
  const dir = await tempDir();
  const script = `${dir}/hook.mjs`;
  writeFileSync(script, HOOK_SCRIPT);
  const argv = "Bun" in globalThis ? [script] : ["run", "--allow-all", script];
  const ran = spawnSync(process.execPath, argv, { encoding: "utf8", timeout: 30_000 });
  await rm(dir, { recursive: true, force: true });
  const [heard] = ran.stdout.trim().split("\n");
  assert.deepEqual(JSON.parse(heard ?? "null"), [
    "second exception one",
    "second rejection two",
    "first exception three",
  ], ran.stderr);
  // The runtime's own handling: its report, and exit code 1 (Bun may run on for a moment first).
  assert.equal(ran.status, 1, ran.stderr);
  assert.match(ran.stderr, /four: nobody listens/);
});
