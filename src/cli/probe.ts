/**
 * `vitals probe`: asks a running vitals for its status over HTTP (or HTTPS:
 * `served_tls.ts`) and exits 0 on a 200 answer, 1 on anything else, with one
 * line on standard error saying why. It is the health check of an image that
 * has no shell and no curl (`HEALTHCHECK CMD ["/usr/local/bin/vitals",
 * "probe"]`), so it reads no config and loads neither the YAML parser nor the
 * config schema: keep its imports to what it uses
 * (`tests/scenarios/cli_imports.test.ts` walks them).
 *
 * @module
 */

import { durationProblem, parseDuration } from "../config/duration.ts";
import { hideUrlCredentials } from "../mask.ts";
import type { Platform } from "../platform/platform.ts";
import { escapeControl } from "../text.ts";
import { GROUPS } from "../types.ts";
import { VERSION } from "../version.ts";
import { type Flags, stringFlag, UsageError } from "./flags.ts";
import { sendServed, servedTls } from "./served_tls.ts";
import { httpUrl, localOrigin, noAnswer } from "./served_url.ts";

/** How long `probe` waits for an answer unless `--timeout` says otherwise. */
export const DEFAULT_PROBE_TIMEOUT_MS = 1_000;

/** Timers hold at most 2^31-1 ms (about 24.8 days); longer ones fire at once. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/** The most characters of an answer's body that a failure line quotes. */
const BODY_SHOWN = 200;

/**
 * The URL `probe` asks: `--url`, else 127.0.0.1 at `$VITALS_PORT` (default
 * 8080; https:// with `$VITALS_TLS`) and the `--group`'s `/simple` path
 * (default `ready`; `all` is `/health/simple`).
 *
 * @throws {UsageError} for a `--group`, `--url`, `VITALS_PORT` or `VITALS_TLS` that is not valid
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { probeUrl } from "./probe.ts";
 * assert.equal(probeUrl({}, {}), "http://127.0.0.1:8080/health/ready/simple");
 * assert.equal(probeUrl({ group: "all" }, { VITALS_PORT: "9000" }), "http://127.0.0.1:9000/health/simple");
 * ```
 */
export function probeUrl(flags: Flags, env: Readonly<Record<string, string>>): string {
  const group = stringFlag(flags, "group") ?? "ready";
  if (group !== "all" && !(GROUPS as readonly string[]).includes(group)) {
    throw new UsageError(
      `Invalid --group "${group}": expected live, ready, started or all`,
      "probe",
    );
  }
  const url = stringFlag(flags, "url");
  if (url !== undefined) return httpUrl(url, "--url", "probe");
  const path = group === "all" ? "/health/simple" : `/health/${group}/simple`;
  return `${localOrigin(env, "probe")}${path}`;
}

/** `--timeout` in milliseconds, or the default. */
function probeTimeout(flags: Flags): number {
  const text = stringFlag(flags, "timeout");
  if (text === undefined) return DEFAULT_PROBE_TIMEOUT_MS;
  const ms = parseDuration(text);
  if (ms === undefined || ms < 1 || ms > MAX_TIMEOUT_MS) {
    throw new UsageError(
      `Invalid --timeout "${text}": ${
        durationProblem(text) ?? "expected a duration above 0 and at most 24 days"
      }`,
      "probe",
    );
  }
  return ms;
}

/**
 * The start of a body, as one line: control characters escaped, at most
 * {@link BODY_SHOWN} characters; `""` when it cannot be read (the time ran out).
 */
async function bodyStart(response: Response): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    while (text.length <= BODY_SHOWN) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // Timed out or cut off: what arrived is still worth showing.
  } finally {
    reader.cancel().catch(() => {});
  }
  const line = escapeControl(text.trim());
  return line.length > BODY_SHOWN ? `${line.slice(0, BODY_SHOWN)}...` : line;
}

/**
 * Asks a running vitals and returns the exit code: 0 when it answers 200,
 * else 1 after printing why to standard error. Prints nothing on success.
 *
 * @throws {UsageError} for a `--group`, `--url`, `--timeout`, `VITALS_PORT` or `VITALS_TLS`
 * that is not valid, or TLS files that cannot be used (`servedTls`)
 * @example
 * ```ts ignore
 * const code = await probeCommand({ group: "live" }, detectPlatform());
 * // code 1, stderr: vitals probe: http://127.0.0.1:8080/health/live/simple cannot connect: connection refused
 * ```
 */
export async function probeCommand(
  flags: Flags,
  platform: Pick<Platform, "env" | "fetch" | "fetchTls" | "readTextFile">,
): Promise<number> {
  const url = probeUrl(flags, platform.env());
  const timeout = probeTimeout(flags);
  const tls = await servedTls(url, flags, platform, "probe");
  const fail = (why: string) => {
    console.error(`vitals probe: ${hideUrlCredentials(url)} ${why}`);
    return 1;
  };
  const signal = AbortSignal.timeout(timeout);
  let response: Response;
  try {
    response = await sendServed(platform, url, {
      signal,
      redirect: "manual",
      headers: { "user-agent": `vitals-probe/${VERSION}` },
    }, tls);
  } catch (error) {
    return fail(noAnswer(error, signal, timeout, url, tls?.cert !== undefined));
  }
  if (response.status === 200) {
    response.body?.cancel().catch(() => {});
    return 0;
  }
  const body = await bodyStart(response);
  return fail(`answered ${response.status}${body === "" ? "" : ` ${body}`}`);
}
