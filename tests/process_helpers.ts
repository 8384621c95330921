/**
 * Helpers for tests that run vitals as a real child process: on Deno as
 * `deno run -A main.ts`, on Bun as `bun main.ts`, or a compiled binary.
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("..", import.meta.url));

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

/** Starts a process (vitals by default) with `args`. */
export function start(
  args: string[],
  options: { command?: string[]; env?: Record<string, string> } = {},
): Running {
  const [program, ...rest] = [...(options.command ?? vitalsCommand()), ...args];
  const child = spawn(program!, rest, {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
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

/** Runs vitals to completion, killing it after `timeoutMs`. */
export async function runVitals(
  args: string[],
  options: { command?: string[]; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const running = start(args, options);
  const timer = setTimeout(() => running.child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
  const code = await running.exited;
  clearTimeout(timer);
  return { code, stdout: running.stdout, stderr: running.stderr };
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
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`Timed out waiting for ${pattern} in stderr:\n${running.stderr}`);
}

/** Starts `vitals serve` on 127.0.0.1 port 0 and returns its base URL once it listens. */
export async function serveVitals(
  configFile: string,
  options: { command?: string[]; env?: Record<string, string>; args?: string[] } = {},
): Promise<Running & { url: string }> {
  const running = start(
    ["serve", "--config", configFile, "--host", "127.0.0.1", "--port", "0", ...options.args ?? []],
    options,
  );
  try {
    const match = await waitForLog(running, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
    return Object.assign(running, { url: match[1]! });
  } catch (error) {
    running.child.kill("SIGKILL");
    throw error;
  }
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

/** Writes `text` to a new file in a new temporary directory; returns its path and directory. */
export async function tempFile(name: string, text: string): Promise<{ path: string; dir: string }> {
  const dir = await mkdtemp(`${tmpdir()}/vitals-test-`);
  const path = `${dir}/${name}`;
  await writeFile(path, text);
  return { path, dir };
}
