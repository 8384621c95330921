/**
 * Running a program with text piped to its standard input, as
 * `printf %s TEXT | program args` would: the input is written, the pipe
 * closed, and the exit code and both outputs collected.
 *
 * @module
 */

import { spawn } from "node:child_process";
import process from "node:process";
import { ROOT } from "./files.ts";
import type { Finished } from "./processes.ts";

/**
 * Runs `[...command, ...args]` from the repository root with `input` on its
 * standard input; kills it by PID after `timeoutMs`. A program that exits
 * before reading all of the input (a refused long token) is fine: the broken
 * pipe is ignored.
 */
export function runPiped(
  command: readonly string[],
  args: readonly string[],
  input: string,
  timeoutMs = 30_000,
): Promise<Finished> {
  const [program, ...rest] = [...command, ...args];
  const child = spawn(program!, rest, {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Uint8Array) => (stdout += new TextDecoder().decode(chunk)));
  child.stderr!.on("data", (chunk: Uint8Array) => (stderr += new TextDecoder().decode(chunk)));
  child.stdin!.on("error", () => {}); // EPIPE once the program has stopped reading
  child.stdin!.end(input);
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  return new Promise((resolve) => {
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal ?? -1, stdout, stderr });
    });
  });
}
