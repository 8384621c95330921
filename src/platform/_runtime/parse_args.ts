/**
 * Node's `parseArgs` (`node:util`), which both runtimes provide, reached
 * through Node's `process.getBuiltinModule` on the first call, never
 * imported: Bun's bundler hoists a static `node:` import to the start of
 * every command, and `node:util` is about a third of a "hello" program's
 * start-up in the compiled binary (BENCHMARKS.md, "`vitals probe` start to
 * exit"), which the command line parser pays only for a command line it
 * cannot read itself (`src/cli/options.ts`).
 *
 * @module
 */

import type { parseArgs } from "node:util";

/**
 * `node:util`'s `parseArgs`, loaded now.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nodeParseArgs } from "./parse_args.ts";
 * const { values } = nodeParseArgs()({ args: ["-v"], options: { v: { type: "boolean" } } });
 * assert.equal(values.v, true);
 * ```
 */
export function nodeParseArgs(): typeof parseArgs {
  const process = (globalThis as unknown as {
    process: { getBuiltinModule(id: "node:util"): { parseArgs: typeof parseArgs } };
  }).process;
  return process.getBuiltinModule("node:util").parseArgs;
}
