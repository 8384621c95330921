/**
 * Runs a command line with `sh -c`, bounded in time, and collects what it
 * printed: for the commands the docs and the Dockerfile give users, run as
 * written.
 *
 * @module
 */

import { spawn } from "node:child_process";
import process from "node:process";

/** What a command left: its exit code (or signal), stdout, stderr, and both as they came. */
export interface Ran {
  code: number | string;
  stdout: string;
  stderr: string;
  output: string;
}

/**
 * Runs `command` with `sh -c` in `cwd`, with `env` over this process's
 * environment; killed after `timeoutMs`. Resolves with its exit code (or
 * signal) and its stdout and stderr, together and apart.
 */
export function runShell(
  command: string,
  cwd: string,
  env: Record<string, string>,
  timeoutMs = 300_000,
): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn("sh", ["-c", command], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const ran: Ran = { code: -1, stdout: "", stderr: "", output: "" };
    child.stdout!.on("data", (chunk: Uint8Array) => {
      const text = new TextDecoder().decode(chunk);
      ran.stdout += text;
      ran.output += text;
    });
    child.stderr!.on("data", (chunk: Uint8Array) => {
      const text = new TextDecoder().decode(chunk);
      ran.stderr += text;
      ran.output += text;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ ...ran, code: "error", output: `${ran.output}${error.message}` });
    });
    // "close", not "exit": the output is all read by then.
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ ...ran, code: code ?? signal ?? -1 });
    });
  });
}
