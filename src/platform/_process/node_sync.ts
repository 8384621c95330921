/**
 * The synchronous Node built-ins the reaper (`reap.ts`, `proc_readers.ts`)
 * uses: `node:fs`'s `readdirSync`/`readFileSync`, `Buffer.from`, `process`,
 * each loaded on its first call through Node's `process.getBuiltinModule`,
 * which both runtimes provide. Not imported statically (BENCHMARKS.md,
 * "`vitals probe` start to exit"): Bun's bundler hoists every static `node:`
 * import to the start of the compiled program, and `node:fs` alone costs
 * `vitals probe` about a hello program's start-up. Loaded on first call, not
 * with this module: `validate` and a `check` without a command check load
 * the platform but never reap.
 *
 * @module
 */

import type * as NodeBuffer from "node:buffer";
import type * as NodeFs from "node:fs";
import type NodeProcess from "node:process";

/** Node's `process`, a global on both runtimes. */
export const process: typeof NodeProcess =
  (globalThis as unknown as { process: typeof NodeProcess }).process;

let fs: typeof NodeFs | undefined;
const nodeFs = () => fs ??= process.getBuiltinModule("node:fs") as typeof NodeFs;

/** `node:fs`'s `readdirSync`, loaded on first call. */
export const readdirSync =
  ((...args: Parameters<typeof NodeFs.readdirSync>) =>
    nodeFs().readdirSync(...args)) as typeof NodeFs.readdirSync;

/** `node:fs`'s `readFileSync`, loaded on first call. */
export const readFileSync =
  ((...args: Parameters<typeof NodeFs.readFileSync>) =>
    nodeFs().readFileSync(...args)) as typeof NodeFs.readFileSync;

/** A `node:buffer` `Buffer`. */
export type Buffer = NodeBuffer.Buffer;

/** `node:buffer`'s `Buffer.from` for strings, loaded on first call. */
export const Buffer = {
  from: (text: string): Buffer =>
    (process.getBuiltinModule("node:buffer") as typeof NodeBuffer).Buffer.from(text),
};
