/**
 * Running vitals' command line in the test process (the command runner,
 * `runCli`), with what it prints to the console collected instead of shown.
 *
 * @module
 */

import { runCli } from "../../src/cli/run.ts";
import type { Platform } from "../../src/platform/mod.ts";
import { platform } from "./platform.ts";

/** What a command run in this process left: its exit code and what it printed. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the command line `args` in this process on `on` (the real platform by default). */
export async function runCliHere(args: string[], on: Platform = platform): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...parts: unknown[]) => void out.push(parts.join(" "));
  console.error = (...parts: unknown[]) => void err.push(parts.join(" "));
  try {
    const code = await runCli(args, on);
    return { code, stdout: out.join("\n"), stderr: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}
