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

/** C0 and C1 control characters, DEL, and Unicode's line and paragraph separators. */
// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * Escapes control characters, so text from a check (its output, a server's
 * reply) cannot start a new log line or send terminal escapes: `\n` becomes
 * the two characters `\` `n`, ESC becomes `\u001b`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeControl } from "./text.ts";
 * assert.equal(escapeControl("a\nb\u001b[31m"), "a\\nb\\u001b[31m");
 * ```
 */
export function escapeControl(text: string): string {
  return text.replace(
    CONTROL,
    (char) => NAMED[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
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
