/**
 * The single binary, built as `deno task compile:bun` builds it (its entry
 * points and flags read from deno.json), once per test run into dist/test/.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import process from "node:process";
import { ROOT } from "./files.ts";
import { runVitals } from "./processes.ts";

/** Bun itself when the tests run on Bun; otherwise the pinned Bun from npm. */
function bunCommand(): string[] {
  return "Bun" in globalThis ? [process.execPath] : ["npx", "-y", "bun@1.4.4"];
}

let built: Promise<string> | undefined;

/**
 * The `bun build` arguments of `deno task compile:bun`, read from deno.json,
 * with the output file replaced: the tests build exactly what ships (its
 * entry points, such as the config worker, and its flags).
 */
export function compileArgs(out: string): string[] {
  const tasks = JSON.parse(readFileSync(`${ROOT}deno.json`, "utf8")).tasks as Record<
    string,
    string
  >;
  const words = (tasks["compile:bun"] ?? "").split(/\s+/);
  const from = words.indexOf("build");
  const to = words.indexOf("--outfile");
  assert.ok(from !== -1 && to > from, `unexpected compile:bun task: ${tasks["compile:bun"]}`);
  return [...words.slice(from, to), "--outfile", out];
}

/**
 * The single binary, built as `deno task compile:bun` builds it, once per test run
 * into dist/test/ (overwritten each run, git-ignored); resolves with its path.
 */
export function compiledBinary(): Promise<string> {
  built ??= (async () => {
    const out = `${ROOT}dist/test/vitals`;
    const result = await runVitals(compileArgs(out), {
      command: bunCommand(),
      timeoutMs: 120_000,
    });
    assert.equal(result.code, 0, `bun build --compile failed:\n${result.stderr}`);
    return out;
  })();
  return built;
}
