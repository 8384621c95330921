/**
 * Small text helpers shared by messages, logs and reports.
 *
 * @module
 */

/**
 * A count with its noun, singular or plural.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { plural } from "./text.ts";
 * assert.equal(plural(1, "check"), "1 check");
 * assert.equal(plural(4, "check"), "4 checks");
 * ```
 */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/**
 * `host:port`, with brackets around an IPv6 address.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hostPort } from "./text.ts";
 * assert.equal(hostPort("::1", 8080), "[::1]:8080");
 * ```
 */
export function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
