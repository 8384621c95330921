/**
 * How many connections the HTTP servers (`http1_server.ts`, `bun_server.ts`)
 * keep open, on Deno and on Bun alike: half the descriptors vitals may open
 * (both runtimes raise the soft limit to the hard one at start-up), leaving
 * the rest for check processes, files and outgoing connections. A bound
 * first (docs/reliability.md, "Connection floods": a probe always gets in),
 * and what holds memory under a flood of connections to a known size
 * (BENCHMARKS.md, "Peak memory under load").
 *
 * @module
 */

/** The limit when the descriptor limit cannot be read: half of a common default. */
const FALLBACK = 512;

/**
 * The connection limit, given a reader of `/proc/self/limits` (Linux); the
 * fallback of 512 when it throws or the file has no "Max open files" line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectionLimit } from "./connection_limit.ts";
 * assert.equal(connectionLimit(() => "Max open files            1024                 1024                 files\n"), 512);
 * assert.equal(connectionLimit(() => { throw new Error("no /proc"); }), 512);
 * ```
 */
export function connectionLimit(readLimits: () => string): number {
  try {
    const soft = Number(/^Max open files\s+(\d+)/m.exec(readLimits())?.[1]);
    if (Number.isSafeInteger(soft)) return Math.max(32, Math.floor(soft / 2));
  } catch {
    // Not Linux: fall back to a common default limit's half.
  }
  return FALLBACK;
}
