// The fault suite: hostile checks and hostile clients against vitals as it
// really runs, on the runtime running the tests (main.ts) and as the compiled
// Bun binary (built once per run into a temporary directory). After each case
// the test scans /proc for what the case started (every check command carries
// a token unique to this run, so nothing else on the machine matches), and
// where it applies counts vitals' descriptors (/proc/PID/fd), reads its RSS
// (/proc/PID/status) and sends a probe that must be answered correctly in
// time. The numbers are printed for docs/reliability.md's fault table.
//
// Requests go over raw sockets with `Connection: close`, so the test's own
// connection pool never holds a descriptor in vitals.

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { readdirSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import process from "node:process";
import { after, test } from "node:test";
import { tempDir, tempFile } from "../_helpers/files.ts";
import { processExists } from "../_helpers/pids.ts";
import { eventually, sleep } from "../_helpers/waits.ts";
import { compileArgs } from "../_helpers/binary.ts";
import {
  exitWithin,
  type Running,
  runVitals,
  serveConfig,
  type Serving,
  signal,
  start,
  stop,
  vitalsCommand,
  waitForLog,
} from "../_helpers/processes.ts";
import { firstStatus } from "../_helpers/serve_log.ts";

/** The runtime running the tests. */
const RUNTIME = "Bun" in globalThis ? "bun" : "deno";

/** Unique to this run of the file: every command a case starts carries it, so /proc scans find only ours. */
const RUN = String(100_000 + Math.floor(Math.random() * 900_000));

/** Descriptors vitals may hold above its baseline after a case (lazily opened runtime handles). */
const FD_SLACK = 3;

/** How far above the idle RSS the output flood may take vitals. */
const RSS_BOUND_KB = 16 * 1024;

// ---------------------------------------------------------------------------
// Targets

/** One way of running vitals. */
interface Target {
  /** "deno", "bun" or "binary": the first word of each test name. */
  readonly name: string;
  /** Whether vitals runs on Bun (the compiled binary does). */
  readonly bun: boolean;
  /** Added to each case's sleep durations, so the targets' processes differ. */
  readonly offset: number;
  command(): Promise<string[]>;
}

/** Bun itself when the tests run on Bun; otherwise the pinned Bun from npm. */
function bunCommand(): string[] {
  return "Bun" in globalThis ? [process.execPath] : ["npx", "-y", "bun@1.4.4"];
}

let binaryDir: string | undefined;
let built: Promise<string> | undefined;

/** Compiles main.ts with `bun build --compile` once per run of this file; failing fails the test. */
function binary(): Promise<string> {
  built ??= (async () => {
    binaryDir = await tempDir();
    const out = `${binaryDir}/vitals`;
    const started = performance.now();
    const result = await runVitals(compileArgs(out), {
      command: bunCommand(),
      timeoutMs: 120_000,
    });
    assert.equal(result.code, 0, `bun build --compile failed:\n${result.stdout}${result.stderr}`);
    console.log(`binary: built in ${Math.round(performance.now() - started)} ms`);
    return out;
  })();
  return built;
}

after(async () => {
  if (binaryDir !== undefined) await rm(binaryDir, { recursive: true, force: true });
});

const TARGETS: readonly Target[] = [
  {
    name: RUNTIME,
    bun: RUNTIME === "bun",
    offset: 0,
    command: () => Promise.resolve(vitalsCommand()),
  },
  { name: "binary", bun: true, offset: 1000, command: async () => [await binary()] },
];

/** A sleep duration unique to this case, target and run: `1003.123456` (sleep takes fractions). */
function duration(target: Target, seconds: number): string {
  return `${seconds + target.offset}.${RUN}`;
}

// ---------------------------------------------------------------------------
// Processes, descriptors, memory

/** A process found in /proc: its PID and its command line, arguments joined by spaces. */
interface Found {
  pid: number;
  argv: string;
}

/** Every process whose command line contains `needle` (a zombie has none, so it never matches). */
function processesWith(needle: string): Found[] {
  const found: Found[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, "latin1").replace(/\0+$/, "")
        .replaceAll("\0", " ");
      if (argv.includes(needle)) found.push({ pid: Number(name), argv });
    } catch {
      // Exited meanwhile.
    }
  }
  return found;
}

/** Every process whose command line contains one of `needles`. */
function leftovers(needles: readonly string[]): Found[] {
  return needles.flatMap(processesWith);
}

/**
 * Asserts that no process with one of `needles` in its command line is left,
 * allowing the kernel `graceMs` to finish a kill already sent; returns how
 * many there were at the first look.
 */
async function assertNoneLeft(
  needles: readonly string[],
  graceMs = 1_000,
): Promise<number> {
  const first = leftovers(needles).length;
  await eventually(() => leftovers(needles).length === 0, graceMs);
  const left = leftovers(needles);
  assert.deepEqual(left, [], `processes left behind: ${JSON.stringify(left)}`);
  return first;
}

/**
 * Kills (by PID) what a failed case left behind: only processes whose command
 * line carries this run's token, which only the checks of this file's vitals
 * processes start.
 */
function killLeftovers(needles: readonly string[]): void {
  for (const { pid } of leftovers(needles)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Gone already.
    }
  }
}

/** Waits until a process whose whole command line is `argv` exists; fails after `ms`. */
async function waitForProcess(argv: string, ms = 10_000): Promise<void> {
  const ok = await eventually(
    () => processesWith(argv).some((found) => found.argv === argv),
    ms,
  );
  assert.ok(ok, `no process "${argv}" started within ${ms} ms`);
}

/** How many descriptors the process holds. */
function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** The process's resident set size in KiB. */
function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  assert.ok(match, `no VmRSS in /proc/${pid}/status`);
  return Number(match[1]);
}

/** Whether the process started as `running` is still running. */
function alive(running: Running): boolean {
  return running.child.exitCode === null && running.child.signalCode === null &&
    processExists(running.child.pid!);
}

/** Stops a served vitals as an orchestrator does (SIGTERM) and asserts it exits 0 within 7 s. */
async function terminate(vitals: Running): Promise<void> {
  signal(vitals, "SIGTERM");
  const code = await exitWithin(vitals, 7_000);
  assert.equal(code, 0, `SIGTERM: exit ${code}; stderr:\n${vitals.stderr}`);
}

// ---------------------------------------------------------------------------
// HTTP over raw sockets

/** An HTTP response as read off the socket, and how long it took. */
interface Reply {
  status: number;
  body: string;
  ms: number;
}

/** Parses a whole response from `text`; `undefined` while more is to come (the peer has not closed). */
function parseResponse(text: string, ended: boolean): Omit<Reply, "ms"> | undefined {
  const end = text.indexOf("\r\n\r\n");
  if (end === -1) return undefined;
  const [statusLine = "", ...fields] = text.slice(0, end).split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  const header = (name: string) =>
    fields.find((field) => field.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1)
      .trim();
  const rest = text.slice(end + 4);
  const length = header("content-length");
  if (length !== undefined) {
    const bytes = Buffer.from(rest, "latin1");
    return bytes.length >= Number(length)
      ? { status, body: bytes.subarray(0, Number(length)).toString("utf8") }
      : undefined;
  }
  if (header("transfer-encoding")?.toLowerCase() === "chunked") {
    let body = "";
    let at = 0;
    for (;;) {
      const lineEnd = rest.indexOf("\r\n", at);
      if (lineEnd === -1) return undefined;
      const size = parseInt(rest.slice(at, lineEnd), 16);
      if (size === 0) return { status, body: Buffer.from(body, "latin1").toString("utf8") };
      if (rest.length < lineEnd + 2 + size + 2) return undefined;
      body += rest.slice(lineEnd + 2, lineEnd + 2 + size);
      at = lineEnd + 2 + size + 2;
    }
  }
  return ended ? { status, body: Buffer.from(rest, "latin1").toString("utf8") } : undefined;
}

/** GETs `path` from `url` on a new connection (`Connection: close`); fails after `timeoutMs`. */
function get(url: string, path: string, timeoutMs = 5_000): Promise<Reply> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect({ host: hostname, port: Number(port) });
    let text = "";
    let settled = false;
    const settle = (reply: Omit<Reply, "ms"> | undefined, error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (reply) resolve({ ...reply, ms: performance.now() - started });
      else reject(error);
    };
    const timer = setTimeout(
      () => settle(undefined, new Error(`GET ${path}: no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.setEncoding("latin1");
    socket.on("connect", () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n\r\n`,
      );
    });
    socket.on("data", (chunk: string) => {
      text += chunk;
      const reply = parseResponse(text, false);
      if (reply) settle(reply);
    });
    socket.on("close", () => {
      const reply = parseResponse(text, true);
      settle(reply, new Error(`GET ${path}: connection closed after ${JSON.stringify(text)}`));
    });
    socket.on("error", (error: Error) => settle(undefined, error));
  });
}

/** A check entry of a full `/health` body. */
interface Entry {
  name: string;
  status: string;
  message: string;
  durationMs: number;
}

/** GETs a full body and returns the entry of the check called `name`. */
async function entry(url: string, name: string, path = "/health"): Promise<Entry> {
  const reply = await get(url, path);
  const body = JSON.parse(reply.body) as { checks: Entry[] };
  const found = body.checks.find((check) => check.name === name);
  assert.ok(found, `${name} is listed at ${path}: ${reply.body}`);
  return found;
}

/** Asserts that `/health/live` answers 200 UP within `ms` (default 1 s); returns how long it took. */
async function assertLive(url: string, ms = 1_000): Promise<number> {
  const reply = await get(url, "/health/live", ms);
  assert.equal(reply.status, 200, reply.body);
  assert.equal((JSON.parse(reply.body) as { status: string }).status, "UP", reply.body);
  assert.ok(reply.ms < ms, `/health/live took ${Math.round(reply.ms)} ms`);
  return reply.ms;
}

/** The number of runs of check `name`, UP and DOWN, from /metrics. */
async function runsOf(url: string, name: string): Promise<number> {
  const reply = await get(url, "/metrics");
  assert.equal(reply.status, 200, reply.body);
  let total = 0;
  const pattern = new RegExp(`^vitals_check_runs_total\\{([^}]*)\\} (\\d+)$`, "gm");
  for (const [, labels = "", count] of reply.body.matchAll(pattern)) {
    if (labels.includes(`check="${name}"`)) total += Number(count);
  }
  return total;
}

/** Starts `vitals serve` on 127.0.0.1 port 0 for `target` with the config `yaml`. */
async function serveOn(
  target: Target,
  yaml: string,
  command?: string[],
): Promise<Serving> {
  return await serveConfig("faults.yaml", yaml, { command: command ?? await target.command() });
}

// ---------------------------------------------------------------------------
// The cases

/** 1. A command that escapes its process group with setsid, run 100 times. */
async function escapingProcesses(target: Target): Promise<void> {
  const needle = `sleep ${duration(target, 1003)}`;
  const vitals = await serveOn(
    target,
    `cache: {ttl: 0}\nchecks:\n  - {name: escape, type: command, command: ["sh", "-c", "setsid ${needle} & exit 0"]}\n`,
  );
  try {
    const pid = vitals.child.pid!;
    await firstStatus(vitals, "UP");
    // Warm up: a few runs and requests, so the runtime's lazily opened handles exist.
    for (let i = 0; i < 5; i++) await get(vitals.url, "/health");
    await sleep(200);
    const before = fdCount(pid);
    // On demand with ttl 0: each request runs the check once and answers after
    // the run ended (a run whose escaped child kept the pipe takes 1 s: bounded at 60 s).
    const deadline = performance.now() + 60_000;
    const warm = await runsOf(vitals.url, "escape");
    let runs = 0;
    while (runs < 100 && performance.now() < deadline) {
      const reply = await get(vitals.url, "/health/ready");
      assert.equal(reply.status, 200, reply.body);
      runs = await runsOf(vitals.url, "escape") - warm;
    }
    assert.ok(runs >= 100, `only ${runs} runs in 60 s`);
    // Every answered request's run has ended: nothing of it may be left, with
    // vitals still up (1 s for the kernel to finish a kill already sent).
    const seen = leftovers([needle]).length;
    await eventually(() => leftovers([needle]).length === 0, 1_000);
    const left = leftovers([needle]);
    const found = await eventually(() => fdCount(pid) <= before + FD_SLACK, 2_000);
    const afterFds = fdCount(pid);
    const probeMs = await assertLive(vitals.url);
    console.log(
      `${target.name}: setsid escape: ${runs} runs after ${warm} warm-up runs; ` +
        `leftover processes ${left.length} (${seen} at the first look); ` +
        `vitals descriptors ${before} before, ${afterFds} after; ` +
        `/health/live in ${probeMs.toFixed(1)} ms`,
    );
    assert.deepEqual(left, [], `processes left behind: ${JSON.stringify(left)}`);
    assert.ok(found, `descriptors: ${before} before, ${afterFds} after ${runs} runs`);
    await terminate(vitals);
    await assertNoneLeft([needle]);
  } finally {
    await stop(vitals);
    killLeftovers([needle]);
  }
}

/** 2. Background children that keep the output pipe open do not make the check wait. */
async function backgroundChildren(target: Target): Promise<void> {
  const needles = [`sleep ${duration(target, 1001)}`, `sleep ${duration(target, 1002)}`];
  const vitals = await serveOn(
    target,
    `cache: {ttl: 0}\nchecks:\n  - {name: bg, type: command, timeout: 10s, command: ["sh", "-c", "${
      needles[0]
    } & ${needles[1]} &"]}\n`,
  );
  try {
    await firstStatus(vitals, "UP");
    const started = performance.now();
    const found = await entry(vitals.url, "bg");
    const ms = performance.now() - started;
    console.log(
      `${target.name}: background children: ${found.status} "${found.message}" ` +
        `in ${found.durationMs} ms (request ${Math.round(ms)} ms)`,
    );
    assert.equal(found.status, "UP", found.message);
    assert.equal(found.message, "exit 0");
    // Waiting for the pipes to close would take the 1 s grace (or the timeout).
    assert.ok(found.durationMs < 1_000, `the check took ${found.durationMs} ms`);
    // The run has ended while vitals keeps running: its children are gone already.
    await assertNoneLeft(needles);
    await assertLive(vitals.url);
    await terminate(vitals);
    await assertNoneLeft(needles);
  } finally {
    await stop(vitals);
    killLeftovers(needles);
  }
}

/** 3. `vitals check` interrupted while its check runs. */
async function checkInterrupted(target: Target, name: "SIGTERM" | "SIGINT"): Promise<void> {
  const base = name === "SIGTERM" ? 1005 : 1015;
  const escaped = `sleep ${duration(target, base)}`;
  const waiting = `sleep ${duration(target, base + 1)}`;
  const { path } = await tempFile(
    "check.yaml",
    `checks:\n  - {name: hang, type: command, timeout: 20s, command: ["sh", "-c", "setsid ${escaped} & ${waiting}"]}\n`,
  );
  const vitals = start(["check", "--config", path], { command: await target.command() });
  try {
    await waitForProcess(waiting);
    const started = performance.now();
    signal(vitals, name);
    const code = await exitWithin(vitals, 2_000);
    const ms = performance.now() - started;
    console.log(
      `${target.name}: check interrupted by ${name}: exit ${code} in ${Math.round(ms)} ms`,
    );
    assert.equal(code, name === "SIGTERM" ? 143 : 130, vitals.stderr);
    assert.match(vitals.stderr, new RegExp(`${name} received: stopped the running checks`));
    await assertNoneLeft([escaped, waiting]);
  } finally {
    await stop(vitals);
    killLeftovers([escaped, waiting]);
  }
}

/** 4. `serve` given SIGTERM, then SIGTERM again during the drain. */
async function servedTwice(target: Target): Promise<void> {
  const escaped = `sleep ${duration(target, 1007)}`;
  const waiting = `sleep ${duration(target, 1008)}`;
  const vitals = await serveOn(
    target,
    `server: {drainDelay: 20s}\nchecks:\n  - {name: hang, type: command, timeout: 20s, command: ["sh", "-c", "setsid ${escaped} & ${waiting}"]}\n`,
  );
  try {
    await waitForProcess(waiting);
    signal(vitals, "SIGTERM");
    await waitForLog(vitals, /SIGTERM received: readiness is DOWN; stopping in 20000 ms/, 5_000);
    const started = performance.now();
    signal(vitals, "SIGTERM");
    const code = await exitWithin(vitals, 2_000);
    const ms = performance.now() - started;
    console.log(`${target.name}: serve, second SIGTERM: exit ${code} in ${Math.round(ms)} ms`);
    assert.equal(code, 1, vitals.stderr);
    assert.match(vitals.stderr, /second signal: exiting at once/);
    await assertNoneLeft([escaped, waiting]);
  } finally {
    await stop(vitals);
    killLeftovers([escaped, waiting]);
  }
}

/** Whether process `pid` catches SIGHUP (bit 0 of SigCgt in /proc/PID/status). */
function catchesHangup(pid: number): boolean {
  try {
    const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return mask !== undefined && (BigInt(`0x${mask}`) & 1n) === 1n;
  } catch {
    return false;
  }
}

/**
 * How long after Deno shows SIGHUP caught the storm starts. Deno installs the
 * OS handlers of SIGHUP, SIGTERM and SIGINT together (setting their SigCgt
 * bits) in the first `Deno.addSignalListener` call, spawns its signal thread,
 * and only then records the listener; a signal in between finds none and gets
 * the default action, death (denoland/deno, ext/signals/lib.rs: `init()`
 * inside `register()`). No program can close that window: vitals' listener
 * cannot exist before Deno records it. Measured with a script whose first
 * statement adds a SIGHUP listener, sending SIGHUP the moment the bit shows:
 * 8 deaths in 40 at once, 3 in 40 after 0.2 ms, 6 in 40 after 1 ms, none
 * in 40 after 5 ms. 50 ms is ten times the last, for a loaded machine; the
 * rest of start-up (loading vitals, reading the config, listening, adding the
 * reload listener) comes after it, inside the storm. Bun sets the bit when
 * vitals' own listener is added, so there the bit alone is the start.
 */
const DENO_SIGNAL_SETTLE_MS = 50;

/**
 * 5. SIGHUP every 10 ms for 200 ms from the moment `serve` catches SIGHUP
 * (on Deno, {@link DENO_SIGNAL_SETTLE_MS} after). No program can catch a
 * signal before its runtime runs its first line; what vitals controls is that
 * its handler comes first and that nothing after it lets a SIGHUP kill it.
 * How long the runtime takes to get there is printed.
 */
async function hangupsAtStart(target: Target): Promise<void> {
  const marker = `true hup-${duration(target, 0)}`;
  const { path } = await tempFile(
    "hup.yaml",
    `checks:\n  - {name: ok, type: command, command: ["true", "hup-${duration(target, 0)}"]}\n`,
  );
  const command = await target.command(); // the binary is built before the clock starts
  const spawned = performance.now();
  const vitals = start(["serve", "--config", path, "--host", "127.0.0.1", "--port", "0"], {
    command,
  });
  try {
    while (!catchesHangup(vitals.child.pid!) && performance.now() - spawned < 5_000) {
      await sleep(1);
    }
    const caughtAfter = Math.round(performance.now() - spawned);
    assert.ok(catchesHangup(vitals.child.pid!), "vitals catches SIGHUP within 5 s of its start");
    const settle = target.bun ? 0 : DENO_SIGNAL_SETTLE_MS;
    if (settle > 0) await sleep(settle);
    const started = performance.now();
    let sent = 0;
    while (performance.now() - started < 200 && alive(vitals)) {
      signal(vitals, "SIGHUP");
      sent++;
      await sleep(10);
    }
    const result = await exitWithin(vitals, 200);
    console.log(
      `${target.name}: SIGHUP caught ${caughtAfter} ms after spawn; ` +
        `${settle > 0 ? `storm from ${settle} ms later; ` : ""}${sent} sent in the next ` +
        `${Math.round(performance.now() - started)} ms; vitals ${
          result === "still running" ? "still running" : `exited: ${result}`
        }`,
    );
    assert.equal(
      result,
      "still running",
      `vitals ended (${result}) after ${sent} SIGHUPs; stderr:\n${vitals.stderr}`,
    );
    const match = await waitForLog(vitals, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
    await assertLive(match[1]!);
    assert.ok(alive(vitals), "vitals is still running");
    await terminate(vitals);
    await assertNoneLeft([marker]);
  } finally {
    await stop(vitals);
    killLeftovers([marker]);
  }
}

/** 6. A check that writes output without end, against the same config with a quiet check. */
async function outputFlood(target: Target): Promise<void> {
  const floodArg = `flood-${duration(target, 0)}`;
  const idleArg = `idle-${duration(target, 0)}`;
  const needles = [`yes ${floodArg}`, `true ${idleArg}`];
  const config = (argv: string) =>
    `cache: {mode: background, ttl: 1s}\nchecks:\n  - {name: out, type: command, timeout: 1s, command: ${argv}}\n`;
  const command = await target.command();
  const started = await Promise.allSettled([
    serveOn(target, config(`["yes", "${floodArg}"]`), command),
    serveOn(target, config(`["true", "${idleArg}"]`), command),
  ]);
  const [flood, idle] = started.map((result) =>
    result.status === "fulfilled" ? result.value : undefined
  );
  try {
    for (const result of started) if (result.status === "rejected") throw result.reason;
    assert.ok(flood && idle);
    await Promise.all([firstStatus(flood, "DOWN"), firstStatus(idle, "UP")]);
    // Sample both the same way, side by side, for 10 s: the flood's check runs ten times.
    let floodMax = 0;
    let idleMax = 0;
    const until = performance.now() + 10_000;
    while (performance.now() < until) {
      floodMax = Math.max(floodMax, rssKb(flood.child.pid!));
      idleMax = Math.max(idleMax, rssKb(idle.child.pid!));
      await sleep(100);
    }
    const runs = await runsOf(flood.url, "out");
    const found = await entry(flood.url, "out");
    console.log(
      `${target.name}: output flood: RSS ${(floodMax / 1024).toFixed(1)} MiB with yes ` +
        `(${runs} runs) vs ${(idleMax / 1024).toFixed(1)} MiB idle with true ` +
        `(+${((floodMax - idleMax) / 1024).toFixed(1)} MiB); message "${
          found.message.slice(0, 80)
        }"`,
    );
    assert.equal(found.status, "DOWN");
    assert.match(found.message, /stopped after writing more than 1048576 bytes/);
    assert.ok(runs >= 5, `the flood check ran ${runs} times in 10 s`);
    assert.ok(
      floodMax - idleMax <= RSS_BOUND_KB,
      `RSS ${floodMax} KiB under the flood vs ${idleMax} KiB idle`,
    );
    await assertLive(flood.url);
    await Promise.all([terminate(flood), terminate(idle)]);
    await assertNoneLeft(needles);
  } finally {
    if (flood) await stop(flood);
    if (idle) await stop(idle);
    killLeftovers(needles);
  }
}

/** How many idle connections the flood opens. */
const CONNECTIONS = 1_100;

/**
 * 7. More idle connections than descriptors, then a probe, which must be
 * answered within 1 s (kubelet's default probe timeout) on every build: the
 * server keeps at most half the descriptors as connections and closes the
 * oldest idle one for a new one. The latency is printed for the docs.
 */
async function connectionFlood(target: Target): Promise<void> {
  const marker = `true conn-${duration(target, 0)}`;
  const limited = ["sh", "-c", 'ulimit -n 1024 && exec "$@"', "sh", ...await target.command()];
  const vitals = await serveOn(
    target,
    `checks:\n  - {name: ok, type: command, command: ["true", "conn-${duration(target, 0)}"]}\n`,
    limited,
  );
  const sockets: Socket[] = [];
  try {
    const pid = vitals.child.pid!;
    assert.match(readFileSync(`/proc/${pid}/limits`, "utf8"), /^Max open files\s+1024\s+1024\s/m);
    await firstStatus(vitals, "UP");
    for (let i = 0; i < 3; i++) await get(vitals.url, "/health/live");
    await sleep(200);
    const baseline = fdCount(pid);
    const { port } = new URL(vitals.url);
    let connected = 0;
    let errors = 0;
    let closedByVitals = 0;
    let settled = 0;
    let closing = false;
    for (let i = 0; i < CONNECTIONS; i++) {
      const socket = connect({ host: "127.0.0.1", port: Number(port) });
      sockets.push(socket);
      let done = false;
      const once = () => {
        if (!done) settled++;
        done = true;
      };
      socket.on("connect", () => (connected++, once()));
      socket.on("error", () => (errors++, once()));
      socket.on("close", () => {
        if (!closing) closedByVitals++;
        once();
      });
    }
    // Connections past the listen backlog may wait for SYN retries: give them 5 s.
    await eventually(() => settled === CONNECTIONS, 5_000);
    // Then wait until vitals holds all it will: it stops at its limit (half
    // the descriptors) and closes the oldest idle connection for each new one,
    // so the count settles; "no change for 2 s", or nearly every descriptor
    // taken (which a server without a limit reaches), ends the wait.
    let peak = fdCount(pid);
    let changed = performance.now();
    await eventually(() => {
      const count = fdCount(pid);
      if (count !== peak) [peak, changed] = [count, performance.now()];
      return count >= 1024 - 10 || performance.now() - changed >= 2_000;
    }, 10_000);
    peak = fdCount(pid);
    // kubelet's default probe timeout. The probe itself may wait longer, so
    // that a slow answer is measured and printed rather than cut off.
    const bound = 1_000;
    let probe: Reply | undefined;
    let probeError: unknown;
    try {
      probe = await get(vitals.url, "/health/live", 15_000);
    } catch (error) {
      probeError = error;
    }
    console.log(
      `${target.name}: connection flood (ulimit -n 1024): ${CONNECTIONS} opened, ` +
        `${connected} connected, ` +
        `${errors} errors, ${closedByVitals} closed by vitals, ${
          CONNECTIONS - settled
        } pending; vitals descriptors ${baseline} before, ${peak} at peak; ` +
        (probe
          ? `/health/live answered ${probe.status} in ${Math.round(probe.ms)} ms`
          : `/health/live failed: ${probeError}`) +
        ` (bound ${bound} ms)`,
    );
    if (!probe) throw probeError;
    assert.equal(probe.status, 200, probe.body);
    assert.equal((JSON.parse(probe.body) as { status: string }).status, "UP");
    assert.ok(probe.ms < bound, `the probe took ${Math.round(probe.ms)} ms, over ${bound} ms`);
    assert.ok(alive(vitals), `vitals ended; stderr:\n${vitals.stderr}`);
    closing = true;
    for (const socket of sockets) socket.destroy();
    const closed = performance.now();
    const freed = await eventually(() => fdCount(pid) <= baseline + FD_SLACK, 15_000);
    const afterFds = fdCount(pid);
    console.log(
      `${target.name}: connection flood: vitals descriptors ${afterFds} ` +
        `${Math.round(performance.now() - closed)} ms after the sockets closed`,
    );
    assert.ok(freed, `descriptors: ${baseline} before, ${afterFds} after the flood`);
    await assertLive(vitals.url);
    assert.ok(alive(vitals), `vitals ended; stderr:\n${vitals.stderr}`);
    await terminate(vitals);
    await assertNoneLeft([marker]);
  } finally {
    for (const socket of sockets) socket.destroy();
    await stop(vitals);
    killLeftovers([marker]);
  }
}

/** 8. A command that prints, then hangs past its timeout. */
async function timedOutOutput(target: Target): Promise<void> {
  const needle = `sleep ${duration(target, 3011)}`;
  const vitals = await serveOn(
    target,
    `cache: {ttl: 0}\nchecks:\n  - {name: db, type: command, timeout: 300ms, command: ["sh", "-c", "echo connecting to db; ${needle}"]}\n`,
  );
  try {
    await firstStatus(vitals, "DOWN");
    const found = await entry(vitals.url, "db");
    console.log(`${target.name}: timed out: ${found.status} "${found.message}"`);
    assert.equal(found.status, "DOWN");
    assert.ok(
      found.message.startsWith("timed out after 300 ms; output so far: connecting to db"),
      found.message,
    );
    await assertNoneLeft([needle]);
    await assertLive(vitals.url);
    await terminate(vitals);
    await assertNoneLeft([needle]);
  } finally {
    await stop(vitals);
    killLeftovers([needle]);
  }
}

/** 9. A config that never ends. */
async function endlessConfig(target: Target): Promise<void> {
  const started = performance.now();
  const result = await runVitals(["validate", "--config", "/dev/zero"], {
    command: await target.command(),
    timeoutMs: 5_000,
  });
  const ms = performance.now() - started;
  console.log(`${target.name}: validate /dev/zero: exit ${result.code} in ${Math.round(ms)} ms`);
  assert.equal(result.code, 2, result.stderr);
  assert.ok(ms < 5_000, `took ${Math.round(ms)} ms`);
  assert.match(
    result.stderr,
    /Cannot read config "\/dev\/zero": the file is larger than 1048576 bytes/,
  );
}

const CASES: readonly [string, (target: Target) => Promise<void>][] = [
  [
    "a check that escapes with setsid leaves no process and no descriptor behind after 100 runs",
    escapingProcesses,
  ],
  [
    "a check whose background children hold its output pipe is UP at once and leaves no process behind",
    backgroundChildren,
  ],
  [
    "vitals check interrupted by SIGTERM exits 143 within 2 s and leaves no process behind",
    (target) => checkInterrupted(target, "SIGTERM"),
  ],
  [
    "vitals check interrupted by SIGINT exits 130 within 2 s and leaves no process behind",
    (target) => checkInterrupted(target, "SIGINT"),
  ],
  [
    "serve given SIGTERM twice during the drain exits 1 within 2 s and leaves no process behind",
    servedTwice,
  ],
  [
    "serve given SIGHUP every 10 ms for 200 ms from the moment it catches SIGHUP keeps running and answers /health/live",
    hangupsAtStart,
  ],
  [
    "a check that floods its output is DOWN and keeps RSS within 16 MB of idle",
    outputFlood,
  ],
  [
    `${CONNECTIONS} idle connections under ulimit -n 1024 leave a probe answered within 1 s, and their descriptors are freed`,
    connectionFlood,
  ],
  [
    "a check that times out keeps its output so far and leaves no process behind",
    timedOutOutput,
  ],
  [
    "validate --config /dev/zero exits 2 within 5 s: the config is read with a 1 MiB cap",
    endlessConfig,
  ],
];

for (const target of TARGETS) {
  for (const [name, run] of CASES) test(`${target.name}: ${name}`, () => run(target));
}
