/**
 * How many connections the HTTP server (`_http1_server.ts`) keeps open, on
 * Deno and on Bun alike: half the descriptors vitals may open (both runtimes
 * raise the soft limit to the hard one at start-up), leaving the rest for
 * check processes, files and outgoing connections.
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
 * import { connectionLimit } from "./_connection_limit.ts";
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
