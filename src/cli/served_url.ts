/**
 * Where the commands that talk to a running vitals (`probe`, `maint`) find
 * it, and how a request to it that got no answer is told: a URL given on the
 * command line or in the environment, checked to be http:// or https://,
 * else 127.0.0.1 at `$VITALS_PORT` (default 8080, `server.port`'s default).
 * Imports only what `probe` may load (`tests/scenarios/cli_imports.test.ts`).
 *
 * @module
 */

import { describeFetchError } from "../fetch_error.ts";
import { hideUrlCredentials } from "../mask.ts";
import { UsageError } from "./flags.ts";
import type { Command } from "./options.ts";

/** The port asked when `VITALS_PORT` is unset: `server.port`'s default. */
const DEFAULT_PORT = "8080";

/** Fetch failures in which no connection to the server was made. */
const CONNECT_FAILURES = new Set([
  "connection refused",
  "name does not resolve",
  "host unreachable",
  "TLS handshake failed",
]);

/**
 * `url` when it is an http:// or https:// URL; `source` names where it came from.
 *
 * @throws {UsageError} for anything else, naming `source` and `command`'s help
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { httpUrl } from "./served_url.ts";
 * assert.equal(httpUrl("https://10.0.0.7:8443", "--url", "maint"), "https://10.0.0.7:8443");
 * assert.throws(() => httpUrl("ftp://x", "--url", "maint"), /expected an http:\/\/ or https:\/\/ URL/);
 * ```
 */
export function httpUrl(url: string, source: string, command: Command): string {
  const protocol = URL.canParse(url) ? new URL(url).protocol : "";
  if (protocol !== "http:" && protocol !== "https:") {
    throw new UsageError(
      `Invalid ${source} "${hideUrlCredentials(url)}": expected an http:// or https:// URL`,
      command,
    );
  }
  return url;
}

/**
 * `http://127.0.0.1:<port>`, the port from `$VITALS_PORT` (default 8080).
 *
 * @throws {UsageError} for a `VITALS_PORT` that is not a port
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { localOrigin } from "./served_url.ts";
 * assert.equal(localOrigin({}, "probe"), "http://127.0.0.1:8080");
 * assert.equal(localOrigin({ VITALS_PORT: "9000" }, "maint"), "http://127.0.0.1:9000");
 * ```
 */
export function localOrigin(env: Readonly<Record<string, string>>, command: Command): string {
  const portText = env["VITALS_PORT"] ?? DEFAULT_PORT;
  const port = /^\d+$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new UsageError(
      `Invalid VITALS_PORT "${portText}": expected an integer from 1 to 65535`,
      command,
    );
  }
  return `http://127.0.0.1:${port}`;
}

/**
 * Why a request got no answer, in the words a failure line uses: `timed out
 * after N ms` when `signal` ended it, `cannot connect: <reason>` when no
 * connection was made, else `failed: <reason>`.
 */
export function noAnswer(error: unknown, signal: AbortSignal, timeoutMs: number): string {
  if (signal.aborted) return `timed out after ${timeoutMs} ms`;
  const reason = describeFetchError(error);
  return CONNECT_FAILURES.has(reason) ? `cannot connect: ${reason}` : `failed: ${reason}`;
}
