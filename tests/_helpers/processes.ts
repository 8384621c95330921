/**
 * Running vitals as a real child process: on Deno as `deno run -A main.ts`,
 * on Bun as `bun main.ts`, or another command (the compiled binary). Starting
 * it, running it to its end, serving a config and waiting until it listens,
 * waiting for its log lines, sending signals, stopping it by PID, and
 * reading what a served vitals answers.
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { ROOT, tempFile } from "./files.ts";
import { sleep } from "./waits.ts";

/** The command that runs main.ts on the runtime running the tests. */
export function vitalsCommand(): string[] {
  return "Bun" in globalThis
    ? [process.execPath, "main.ts"]
    : [process.execPath, "run", "--allow-all", "main.ts"];
}

/** A started vitals process with its collected output. */
export interface Running {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  readonly exited: Promise<number | string>;
}

/**
 * How to start a process: the command (vitals by default), extra environment
 * variables, variables to leave out, and the working directory (the
 * repository root by default; vitals itself runs from elsewhere only as
 * {@link vitalsCommandAnywhere}).
 */
export interface StartOptions {
  command?: string[];
  env?: Record<string, string>;
  unset?: string[];
  cwd?: string;
}

/** {@link vitalsCommand} for any working directory: main.ts and the Deno config by path. */
export function vitalsCommandAnywhere(): string[] {
  return "Bun" in globalThis
    ? [process.execPath, `${ROOT}/main.ts`]
    : [process.execPath, "run", "--allow-all", "--config", `${ROOT}/deno.json`, `${ROOT}/main.ts`];
}

/** Starts a process (vitals by default) with `args`, in the repository root unless told. */
export function start(args: string[], options: StartOptions = {}): Running {
  const [program, ...rest] = [...(options.command ?? vitalsCommand()), ...args];
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", ...options.env };
  for (const name of options.unset ?? []) delete env[name];
  const child = spawn(program!, rest, {
    cwd: options.cwd ?? ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const running: Running = {
    child,
    stdout: "",
    stderr: "",
    exited: new Promise((resolve) => {
      child.on("exit", (code, signal) => resolve(code ?? signal ?? -1));
    }),
  };
  child.stdout!.on(
    "data",
    (chunk: Uint8Array) => (running.stdout += new TextDecoder().decode(chunk)),
  );
  child.stderr!.on(
    "data",
    (chunk: Uint8Array) => (running.stderr += new TextDecoder().decode(chunk)),
  );
  return running;
}

/** What a process that ran to completion left. */
export interface Finished {
  code: number | string;
  stdout: string;
  stderr: string;
}

/** Runs vitals to completion, killing it after `timeoutMs`. */
export async function runVitals(
  args: string[],
  options: StartOptions & { timeoutMs?: number } = {},
): Promise<Finished> {
  const running = start(args, options);
  const timer = setTimeout(() => running.child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
  const code = await running.exited;
  clearTimeout(timer);
  return { code, stdout: running.stdout, stderr: running.stderr };
}

/**
 * Writes `yaml` to a new temporary file called `name`, then runs vitals with
 * `args` followed by `--config <that file>`; returns the result and the path.
 */
export async function runWithConfig(
  args: string[],
  name: string,
  yaml: string,
  options: StartOptions & { timeoutMs?: number } = {},
): Promise<Finished & { path: string }> {
  const { path } = await tempFile(name, yaml);
  return { ...await runVitals([...args, "--config", path], options), path };
}

/** Waits until `running.stderr` matches `pattern`; fails after `timeoutMs`. */
export async function waitForLog(
  running: Running,
  pattern: RegExp,
  timeoutMs = 20_000,
): Promise<RegExpMatchArray> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const match = running.stderr.match(pattern);
    if (match) return match;
    await sleep(25);
  }
  throw new Error(`Timed out waiting for ${pattern} in stderr:\n${running.stderr}`);
}

/** A serving vitals process and its base URL. */
export type Serving = Running & { url: string };

/**
 * Starts `vitals serve` with `args` (no address flags added) and returns it
 * with its base URL once it listens on 127.0.0.1; kills it if it never does.
 */
export async function serveWith(args: string[], options: StartOptions = {}): Promise<Serving> {
  const running = start(["serve", ...args], options);
  try {
    const match = await waitForLog(running, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
    return Object.assign(running, { url: match[1]! });
  } catch (error) {
    await stop(running);
    throw error;
  }
}

/** Starts `vitals serve` on 127.0.0.1 port 0 and returns its base URL once it listens. */
export function serveVitals(
  configFile: string,
  options: StartOptions & { args?: string[] } = {},
): Promise<Serving> {
  return serveWith(
    ["--config", configFile, "--host", "127.0.0.1", "--port", "0", ...options.args ?? []],
    options,
  );
}

/**
 * Writes `yaml` to a new temporary file called `name` and serves it as
 * {@link serveVitals} does; returns the process, its URL and the config path.
 */
export async function serveConfig(
  name: string,
  yaml: string,
  options: StartOptions & { args?: string[] } = {},
): Promise<Serving & { path: string }> {
  const { path } = await tempFile(name, yaml);
  return Object.assign(await serveVitals(path, options), { path });
}

/**
 * Sends a signal by PID. (Deno's child_process reports a process that exited 0
 * after `child.kill()` as killed by the signal; `process.kill` avoids that.)
 */
export function signal(running: Running, name: "SIGTERM" | "SIGINT" | "SIGHUP"): void {
  process.kill(running.child.pid!, name);
}

/** Stops a process this test started, by its PID, and waits for it. */
export async function stop(running: Running): Promise<void> {
  if (running.child.exitCode === null && running.child.signalCode === null) {
    running.child.kill("SIGKILL");
  }
  await running.exited;
}

/** The exit code, or "still running" if the process has not exited within `ms`. */
export async function exitWithin(running: Running, ms: number): Promise<number | string> {
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

// ---------------------------------------------------------------------------
// Talking to a served vitals

/** A `/health...` body as served. */
export interface HealthBody {
  status: string;
  details: string[];
  checks: { name: string; status: string; message: string }[];
}

/** Fetches `url`: its status and parsed JSON body (the body is always consumed). */
export async function fetchJson(url: string): Promise<{ status: number; body: HealthBody }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() as HealthBody };
}

/** The names of the checks in a /health body, sorted. */
export function names(body: HealthBody): string[] {
  return body.checks.map((check) => check.name).sort();
}
