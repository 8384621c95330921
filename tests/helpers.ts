/**
 * Test helpers shared by the in-process tests (and some by the e2e and slow
 * ones); process_helpers.ts has those for running vitals as a child process.
 *
 * - real servers on 127.0.0.1 port 0, a port known to be closed, and a
 *   TabbyAPI stand-in that answers as the real server does; servers are
 *   started through the platform layer, so tests exercise it too;
 * - a manual clock, `sleep`, `gate` and `eventually` for timing;
 * - checks whose outcome a test controls (`controlled`), and a Health over
 *   them (`onDemand`);
 * - check configs (`CHECK_BASE`, `CHECK_META`) and running one (`runCheck`);
 * - calling a handler without a socket (`BASE`, `get`, `getText`, `fetchFull`);
 * - apps built from config text (`appOf`, `createTestApp`, `flippable`);
 * - statuses built by the real `summarize()` (`aggregate`, `result`);
 * - `ONE_TCP_CHECK`, the fuzz `SEED`, and `assertClearConfigError`, what every
 *   config error must be;
 * - temporary files and directories, and the repository root.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { type App, createApp } from "../src/app/create_app.ts";
import type { Check, Outcome } from "../src/checks/check.ts";
import { createCheck } from "../src/checks/create_check.ts";
import { runner } from "../src/checks/runner.ts";
import { type Clock, systemClock } from "../src/clock.ts";
import { ConfigError } from "../src/config/error.ts";
import { parseConfig } from "../src/config/load.ts";
import type { CheckConfig } from "../src/config/resolve.ts";
import { Health } from "../src/engine/health.ts";
import { summarize } from "../src/engine/summary.ts";
import { createHandler, type Handler } from "../src/http/handler.ts";
import { createLogger, type Logger, silentLogger } from "../src/log.ts";
import { detectPlatform, type RunningServer } from "../src/platform/mod.ts";
import type { HealthStatus, RunResult } from "../src/types.ts";

export const platform = detectPlatform();

/** The repository root, with a trailing slash. */
export const ROOT = fileURLToPath(new URL("..", import.meta.url));

// ---------------------------------------------------------------------------
// Check configs

/** Every field a resolved check config needs besides its name and kind. */
export const CHECK_BASE = {
  timeout: 2000,
  critical: true,
  groups: ["ready" as const],
  interval: 30_000,
  failureThreshold: 1,
  successThreshold: 1,
};

/**
 * What a check built in a test (with `runner`) needs besides its name,
 * kind, criticality and timeout: the values the config layer would resolve.
 */
export const CHECK_META = {
  groups: ["ready" as const],
  failureThreshold: 1,
  successThreshold: 1,
};

/**
 * Runs one check built by `createCheck` from `config` over {@link CHECK_BASE}
 * (named `target` unless `config` names it).
 */
export function runCheck(config: CheckConfig | Record<string, unknown>): Promise<RunResult> {
  return createCheck({ ...CHECK_BASE, name: "target", ...config } as CheckConfig, { platform })
    .run();
}

// ---------------------------------------------------------------------------
// Servers

/** A server under test, closed by `close()`. */
export interface TestServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `handler` on 127.0.0.1 at a free port. */
export async function startServer(
  handler: (request: Request) => Response | Promise<Response>,
): Promise<TestServer> {
  const server: RunningServer = await platform.serve({
    hostname: "127.0.0.1",
    port: 0,
    handler: async (request) => await handler(request),
  });
  return {
    port: server.port,
    url: `http://127.0.0.1:${server.port}`,
    close: () => server.shutdown(0),
  };
}

/** A port on 127.0.0.1 that was just free: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = await startServer(() => new Response());
  await server.close();
  return server.port;
}

/** A JSON response. */
export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

/** State of the TabbyAPI stand-in; tests change it between requests. */
export interface TabbyState {
  issues: { time: string; description: string }[];
  model: string | undefined;
  apiKey: string;
  /** Every request seen: method, path and the key headers. */
  requests: {
    method: string;
    path: string;
    xApiKey: string | null;
    authorization: string | null;
  }[];
}

/**
 * A stand-in for TabbyAPI that answers exactly as ../shared/reference/tabbyapi.md
 * says the real server does.
 */
export async function startTabby(
  initial: Partial<TabbyState> = {},
): Promise<TestServer & { state: TabbyState }> {
  const state: TabbyState = {
    issues: [],
    model: undefined,
    apiKey: "secret-key",
    requests: [],
    ...initial,
  };
  const server = await startServer((request) => {
    const path = new URL(request.url).pathname;
    const xApiKey = request.headers.get("x-api-key");
    const authorization = request.headers.get("authorization");
    state.requests.push({ method: request.method, path, xApiKey, authorization });
    if (path === "/health") {
      if (request.method !== "GET") {
        return new Response(JSON.stringify({ detail: "Method Not Allowed" }), {
          status: 405,
          headers: { allow: "GET", "content-type": "application/json" },
        });
      }
      return state.issues.length === 0
        ? json({ status: "healthy", issues: [] })
        : json({ status: "unhealthy", issues: state.issues }, 503);
    }
    if (path === "/health/") {
      return new Response(null, { status: 307, headers: { location: "/health" } });
    }
    if (path === "/v1/model") {
      // x-api-key wins over Authorization when both are present.
      const key = xApiKey ?? authorization?.replace(/^Bearer /, "") ?? null;
      if (key === null) return json({ detail: "Please provide an API key" }, 401);
      if (key !== state.apiKey) return json({ detail: "Invalid API key" }, 401);
      if (state.model === undefined) {
        return json({ detail: "No models are currently loaded." }, 503);
      }
      return json({ id: state.model, object: "model", owned_by: "tabbyAPI" });
    }
    return json({ detail: "Not Found" }, 404);
  });
  return { ...server, state };
}

// ---------------------------------------------------------------------------
// Time

/** The wall time a {@link ManualClock} starts at, as every timestamp it makes shows it. */
export const STAMP = "2026-11-21T11:24:41.342Z";

/**
 * A clock that moves only when told; its wall time can be set to anything.
 * Its timers fire when {@link ManualClock.advance} passes their time, in
 * order, each with the clock set to its own time.
 */
export class ManualClock implements Clock {
  monotonic = 1_000;
  wall = Date.parse(STAMP);
  #timers: { at: number; seq: number; fire: () => void }[] = [];
  #seq = 0;

  now(): number {
    return this.monotonic;
  }

  date(): Date {
    return new Date(this.wall);
  }

  setTimer(ms: number, fire: () => void): () => void {
    const timer = { at: this.monotonic + Math.max(0, ms), seq: this.#seq++, fire };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((other) => other !== timer);
    };
  }

  /** How many timers are pending. */
  get timers(): number {
    return this.#timers.length;
  }

  /** Moves monotonic time forward (and wall time with it), firing the timers it passes. */
  advance(ms: number): void {
    const target = this.monotonic + ms;
    for (;;) {
      const due = this.#timers.filter((timer) => timer.at <= target)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((timer) => timer !== due);
      this.#move(due.at);
      due.fire();
    }
    this.#move(target);
  }

  #move(to: number): void {
    if (to <= this.monotonic) return;
    this.wall += to - this.monotonic;
    this.monotonic = to;
  }
}

/** Sleeps `ms` of real time; ends early (without error) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}

/** A promise the test resolves when it wants. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Polls `condition` every 20 ms for at most `ms`; returns whether it became true. */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  ms = 2000,
): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if (await condition()) return true;
    await sleep(20);
  }
  return await condition();
}

/** Whether a process with this PID exists. */
export function processExists(pid: number): boolean {
  try {
    // Signal 0 checks existence without delivering anything.
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------
// Checks the test controls, and a Health over them

/** Fields of a check a test may set besides its name. */
export type Meta = Partial<Omit<Check, "run" | "name">>;

/** An UP outcome. */
export const UP: Outcome = { status: "UP", message: "fine" };
/** A DOWN outcome. */
export const REFUSED: Outcome = { status: "DOWN", message: "refused" };

/** What a {@link controlled} check does on its next run; the test changes it at will. */
export interface ControlledState {
  /** How many runs have started. */
  runs: number;
  /** What each run returns. */
  outcome: Outcome;
  /** Real time each run sleeps (ended early by the run's signal). */
  sleepMs: number;
  /** When set, each run waits for it first. */
  gate: Promise<void> | undefined;
}

/**
 * A real runner check (critical, in the ready group, timeout 10 s unless
 * `meta` says otherwise) whose outcome the test controls. Each run counts
 * itself, waits for `state.gate` if set, sleeps `state.sleepMs` of real time
 * (abortable) if set, and returns `state.outcome` (UP until changed).
 */
export function controlled(
  name: string,
  clock: Clock = systemClock,
  meta: Meta = {},
): { check: Check; state: ControlledState } {
  const state: ControlledState = { runs: 0, outcome: UP, sleepMs: 0, gate: undefined };
  const check = runner(
    { ...CHECK_META, type: "custom", critical: true, timeout: 10_000, ...meta, name },
    async (signal) => {
      state.runs++;
      if (state.gate) await state.gate;
      if (state.sleepMs > 0) await sleep(state.sleepMs, signal);
      await Promise.resolve();
      return state.outcome;
    },
    clock,
  );
  return { check, state };
}

/** The ttl of {@link onDemand}: `clock.advance(TTL)` forces the next evaluation. */
export const TTL = 10_000;

/** An on-demand Health (ttl {@link TTL}, pool of 4) on a manual clock, and a handler over it. */
export function onDemand(
  checks: Check[],
  clock: ManualClock,
  extra: { maxWait?: number } = {},
): { health: Health; handler: Handler } {
  const health = new Health({ checks, ttl: TTL, poolSize: 4, clock, ...extra });
  return { health, handler: createHandler(health) };
}

// ---------------------------------------------------------------------------
// Calling a handler without a socket

/** The origin of requests made without a socket. */
export const BASE = "http://vitals.test";

/** The one-field bodies of `/health/simple` and the `?simple` routes. */
export const UP_BODY = '{"status":"UP"}';
export const DOWN_BODY = '{"status":"DOWN"}';

/** A handler, or an app whose handler to call. */
export type Target = Handler | { readonly handler: Handler };

/** A request for `path` under {@link BASE}. */
export function request(path: string, method = "GET", headers: Record<string, string> = {}) {
  return new Request(`${BASE}${path}`, { method, headers });
}

/** Calls `target`'s handler for `path`. */
export function get(
  target: Target,
  path: string,
  headers: Record<string, string> = {},
  method = "GET",
): Promise<Response> {
  const handler = typeof target === "function" ? target : target.handler;
  return Promise.resolve(handler(request(path, method, headers)));
}

/** Like {@link get}, with the body read as text. */
export async function getText(
  target: Target,
  path: string,
  headers: Record<string, string> = {},
  method = "GET",
): Promise<{ status: number; headers: Headers; body: string }> {
  const response = await get(target, path, headers, method);
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** A served check entry, as in the `checks` array of a full body. */
export interface CheckEntry {
  name: string;
  type: string;
  status: string;
  critical: boolean;
  durationMs: number;
  message: string;
  checkedAt: string;
  lastOutcome: string;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
}

/** A full `/health...` body. */
export interface FullBody {
  status: string;
  timestamp: string;
  details: string[];
  checks: CheckEntry[];
  stale?: boolean;
  ageMs?: number;
}

/** GETs `path` and returns the status code and the parsed full body. */
export async function fetchFull(
  target: Target,
  path: string,
): Promise<{ code: number; body: FullBody }> {
  const response = await get(target, path);
  return { code: response.status, body: await response.json() as FullBody };
}

/** The names of the checks listed by `path`. */
export async function namesAt(target: Target, path: string): Promise<string[]> {
  return (await fetchFull(target, path)).body.checks.map((check) => check.name);
}

/** The one check entry called `name` at `path`. */
export async function entryAt(target: Target, path: string, name: string): Promise<CheckEntry> {
  const { body } = await fetchFull(target, path);
  const entry = body.checks.find((check) => check.name === name);
  assert.ok(entry, `${name} is listed at ${path}: ${JSON.stringify(body)}`);
  return entry;
}

// ---------------------------------------------------------------------------
// Apps built from config text

/** Builds the app from config text, as `vitals serve` does. */
export function appOf(
  yaml: string,
  log: Logger = silentLogger,
  env: Record<string, string> = {},
): App {
  return createApp(parseConfig(yaml, "t.yaml", env), { platform, log });
}

/** A real app over one command check that is UP (`true`), with `server` (a `server:` section) prepended. */
export function createTestApp(server = ""): App {
  const config = parseConfig(
    `${server}cache: {ttl: 30s}\nchecks:\n  - {name: ok, type: command, command: ["true"]}\n`,
    "handler.yaml",
    {},
  );
  return createApp(config, { platform, log: silentLogger });
}

/**
 * An app (ttl 0, JSON logs collected in `lines`) with a critical command check
 * `gate` that is UP while a flag file exists (`open()` creates it, `close()`
 * removes it; it starts closed) and a non-critical command check `extra` (UP
 * unless `extraUp` is false). `server` is a `server:` section to prepend.
 */
export async function flippable(options: { extraUp?: boolean; server?: string } = {}) {
  const dir = await tempDir();
  const flag = `${dir}/flag`;
  const yaml = `${options.server ?? ""}cache:
  ttl: 0
checks:
  - name: gate
    type: command
    command: ["sh", "-c", "test -e ${flag} || { echo 'gate \\"closed\\"'; exit 3; }"]
  - name: extra
    type: command
    command: ["${options.extraUp === false ? "false" : "true"}"]
    critical: false
`;
  const lines: string[] = [];
  const log = createLogger({ format: "json", level: "info", write: (line) => lines.push(line) });
  const app = createApp(parseConfig(yaml, "observe.yaml", {}), { platform, log });
  return {
    app,
    lines,
    open: () => writeFile(flag, ""),
    close: () => rm(flag, { force: true }),
  };
}

// ---------------------------------------------------------------------------
// Statuses built by the real summarize()

/** Every check's status over `results`, as `/health` would show them. */
export function aggregate(results: RunResult[], timestamp: string, at: number): HealthStatus {
  const entries = results.map((r) => ({
    check: { name: r.name, critical: r.critical, groups: ["ready" as const] },
    state: {
      view: {
        ...r,
        lastOutcome: r.status,
        consecutiveFailures: r.status === "DOWN" ? 1 : 0,
        consecutiveSuccesses: r.status === "UP" ? 1 : 0,
      },
    },
  }));
  const flags = { draining: false, startedLatched: true, configProblem: undefined };
  return summarize(entries, "all", flags, at, timestamp);
}

/** A tcp check's result, taking 1.5 ms, checked at {@link STAMP}. */
export function result(
  name: string,
  status: "UP" | "DOWN",
  message: string,
  critical = true,
): RunResult {
  return { name, type: "tcp", status, critical, durationMs: 1.5, message, checkedAt: STAMP };
}

// ---------------------------------------------------------------------------
// Configs

/** A minimal valid config: one tcp check. */
export const ONE_TCP_CHECK = `checks:
  - name: db
    type: tcp
    port: 5432
`;

/** The fixed seed of every property test (fast-check), so a failure reproduces. */
export const SEED = 20261121;

/**
 * Asserts that `error` is a ConfigError a person can read: it names `file` on
 * its first line and on every problem line, lists at least one problem, each
 * saying what is wrong, and shows no stack trace.
 */
export function assertClearConfigError(error: unknown, file: string): void {
  if (!(error instanceof ConfigError)) {
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    assert.fail(`expected a ConfigError, got ${detail}`);
  }
  assert.equal(error.file, file);
  assert.ok(error.problems.length > 0, "a ConfigError lists at least one problem");
  assert.ok(error.message.length > 0, "the message is not empty");
  const [head, ...rest] = error.message.split("\n");
  assert.ok(
    head?.startsWith(`Invalid config "${file}"`) ||
      head?.startsWith(`Cannot read config "${file}"`),
    `the first line names the file: ${JSON.stringify(head)}`,
  );
  assert.ok(!/^\s+at /m.test(error.message), `no stack trace in:\n${error.message}`);
  for (const line of rest) {
    assert.ok(
      line.startsWith(`  ${file}`),
      `every problem line names the file: ${JSON.stringify(line)}`,
    );
  }
  for (const problem of error.problems) {
    assert.ok(problem.message.trim().length > 0, "every problem says what is wrong");
  }
}

// ---------------------------------------------------------------------------
// Files

/** A new, empty temporary directory. */
export function tempDir(): Promise<string> {
  return mkdtemp(`${tmpdir()}/vitals-test-`);
}

/** Writes `text` to a new file in a new temporary directory; returns its path and directory. */
export async function tempFile(name: string, text: string): Promise<{ path: string; dir: string }> {
  const dir = await tempDir();
  const path = `${dir}/${name}`;
  await writeFile(path, text);
  return { path, dir };
}

// ---------------------------------------------------------------------------
// Text that tries to escape its line

/**
 * A check message that tries to forge a log line of its own (after a newline)
 * and to colour the terminal (ESC sequences), as a hostile server or command
 * could print.
 */
export const FORGED_MESSAGE =
  "db down\n2026-01-01T00:00:00.000Z ERROR forged\u001b[31m red\u001b[0m";

/** {@link FORGED_MESSAGE} as `escapeControl` shows it: one line, escapes visible. */
export const FORGED_ESCAPED =
  "db down\\n2026-01-01T00:00:00.000Z ERROR forged\\u001b[31m red\\u001b[0m";

/** Whether `text` holds a raw line break or ESC. */
export function hasRawControl(text: string): boolean {
  return ["\n", "\r", "\u001b", "\u2028", "\u2029"].some((char) => text.includes(char));
}

/**
 * The running processes (not zombies) whose command line is exactly `argv`,
 * read from /proc.
 */
export function runningProcesses(argv: readonly string[]): number[] {
  const wanted = `${argv.join("\0")}\0`;
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, "latin1") !== wanted) continue;
      if (/^\d+ \(.*\) [ZX] /.test(readFileSync(`/proc/${name}/stat`, "latin1"))) continue;
      found.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}
