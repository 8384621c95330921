/**
 * Where the commands that talk to a running vitals (`probe`, `maint`) find
 * it, and how a request to it that got no answer is told: a URL given on the
 * command line or in the environment, checked to be http:// or https://,
 * else 127.0.0.1 at `$VITALS_PORT` (default 8080, `server.port`'s default),
 * over https:// when `$VITALS_TLS` is `1` or `true` (the port serves `server.tls`).
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
 * `http://127.0.0.1:<port>`, the port from `$VITALS_PORT` (default 8080);
 * `https://` when `$VITALS_TLS` is `1` or `true` (`0`, `false` or empty: http).
 *
 * @throws {UsageError} for a `VITALS_PORT` that is not a port, or a `VITALS_TLS` that is not one of those
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { localOrigin } from "./served_url.ts";
 * assert.equal(localOrigin({}, "probe"), "http://127.0.0.1:8080");
 * assert.equal(localOrigin({ VITALS_PORT: "9000" }, "maint"), "http://127.0.0.1:9000");
 * assert.equal(localOrigin({ VITALS_TLS: "1" }, "probe"), "https://127.0.0.1:8080");
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
  const tls = env["VITALS_TLS"] ?? "";
  if (!/^(?:1|true|0|false|)$/i.test(tls)) {
    throw new UsageError(
      `Invalid VITALS_TLS "${tls}": expected 1 or true (https), 0 or false (http)`,
      command,
    );
  }
  return `${/^(?:1|true)$/i.test(tls) ? "https" : "http"}://127.0.0.1:${port}`;
}

/**
 * Why a request got no answer, in the words a failure line uses: `timed out
 * after N ms` when `signal` ended it, `cannot connect: <reason>` when no
 * connection was made (a failed TLS handshake included, with why it failed),
 * else `failed: <reason>`. A closed connection gets a hint: to an `http://`
 * `url`, a TLS port answers cleartext so; to an `https://` one, a port that
 * requires a client certificate may close without saying why (under TLS 1.3
 * it checks the certificate after the client's handshake is done).
 */
export function noAnswer(
  error: unknown,
  signal: AbortSignal,
  timeoutMs: number,
  url = "",
  sentCertificate = false,
): string {
  if (signal.aborted) return `timed out after ${timeoutMs} ms`;
  const reason = describeFetchError(error);
  if (CONNECT_FAILURES.has(reason) || reason.startsWith("TLS handshake failed:")) {
    return `cannot connect: ${reason}`;
  }
  const closed = reason === "connection closed before a response";
  let hint = "";
  if (url.startsWith("http:") && (closed || reason === "not an HTTP response")) {
    hint = " (if the port serves TLS: set VITALS_TLS=1, or give an https:// URL)";
  } else if (url.startsWith("https:") && closed) {
    hint = sentCertificate
      ? " (the server may have refused the client certificate)"
      : " (if the port requires a client certificate: set --cert and --key)";
  }
  return `failed: ${reason}${hint}`;
}
