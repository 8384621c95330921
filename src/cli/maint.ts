/**
 * `vitals maint on|off|status`: turns the maintenance switch of a running
 * vitals on or off, or reads it, over its HTTP port (`/maintenance`, with
 * `server.controlToken`). Prints the state in one line and exits 0; on a
 * refusal, an unknown route or no answer, exits 1 with the reason on
 * standard error. Like `probe`, it reads no config file.
 *
 * The token comes from `--token-file` or `$VITALS_CONTROL_TOKEN`, never
 * from a flag's value, which any user of the machine could read in `ps`.
 *
 * @module
 */

import { maintenanceReason, maintenanceScopes } from "../engine/maintenance.ts";
import { hideUrlCredentials } from "../mask.ts";
import type { Platform } from "../platform/platform.ts";
import { PlatformError } from "../platform/platform_error.ts";
import { escapeControl } from "../text.ts";
import { VERSION } from "../version.ts";
import { type Flags, stringFlag, UsageError } from "./flags.ts";
import { COMMANDS } from "./options.ts";
import { sendServed, servedTls } from "./served_tls.ts";
import { httpUrl, localOrigin, noAnswer } from "./served_url.ts";

/** How long `maint` waits for an answer. */
export const MAINT_TIMEOUT_MS = 5_000;

/** The largest token file read: a token is one short line. */
const MAX_TOKEN_FILE_BYTES = 4_096;

/** The most of an answer's body read: the state is a few hundred bytes. */
const MAX_ANSWER_BYTES = 65_536;

/** The options of `maint` that take a value (their value is never a `--group`). */
const VALUED = new Set(
  COMMANDS.maint.options.flatMap((spec) => "value" in spec ? [`--${spec.name}`] : []),
);

/** What `maint` can do. */
export type MaintAction = "on" | "off" | "status";

/**
 * Every `--group` of `args`, in order, each value split at commas: the
 * option parser keeps only the last of a repeated option.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { groupsOf } from "./maint.ts";
 * assert.deepEqual(groupsOf(["--group", "ready", "--reason", "x", "--group=live,started"]), [
 *   "ready",
 *   "live",
 *   "started",
 * ]);
 * ```
 */
export function groupsOf(args: readonly string[]): string[] {
  const values: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--group") values.push(args[++i] ?? "");
    else if (arg.startsWith("--group=")) values.push(arg.slice("--group=".length));
    else if (VALUED.has(arg)) i++;
  }
  return values.flatMap((value) => value.split(",")).map((name) => name.trim());
}

/** The state as the route answers it. */
interface State {
  readonly on: boolean;
  readonly reason?: string;
  readonly since?: string;
  readonly groups?: readonly string[];
}

/** The state in one line. */
export function stateLine(state: State): string {
  if (!state.on) return "maintenance off";
  return `maintenance on (${(state.groups ?? []).join(", ")}) since ${state.since}: ${
    escapeControl(state.reason ?? "")
  }`;
}

/** The control token: `--token-file`'s text, trimmed, else `$VITALS_CONTROL_TOKEN`, else none. */
async function controlToken(
  flags: Flags,
  platform: Pick<Platform, "env" | "readTextFile">,
): Promise<string | undefined> {
  const file = stringFlag(flags, "token-file");
  if (file === undefined) return platform.env()["VITALS_CONTROL_TOKEN"] || undefined;
  let text: string;
  try {
    text = await platform.readTextFile(file, MAX_TOKEN_FILE_BYTES);
  } catch (error) {
    const reason = error instanceof PlatformError ? error.reason : String(error);
    throw new UsageError(`Cannot read --token-file "${file}": ${reason}`, "maint");
  }
  const token = text.trim();
  if (token === "") throw new UsageError(`Cannot use --token-file "${file}": it is empty`, "maint");
  if (/\s/.test(token)) {
    throw new UsageError(
      `Cannot use --token-file "${file}": expected one token without spaces, on one line`,
      "maint",
    );
  }
  return token;
}

/** An answer's body as text, at most {@link MAX_ANSWER_BYTES}; what arrived when cut off. */
async function bodyText(response: Response): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let bytes = 0;
  try {
    while (bytes < MAX_ANSWER_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // Cut off or timed out: the status code still tells.
  } finally {
    reader.cancel().catch(() => {});
  }
  return text;
}

/** The request `action` makes, checked before anything is sent. */
function requestOf(action: MaintAction, flags: Flags, args: readonly string[]) {
  const reason = stringFlag(flags, "reason");
  const groups = groupsOf(args);
  if (action !== "on") {
    if (reason !== undefined || groups.length > 0) {
      throw new UsageError(
        `Invalid --reason or --group after "${action}": they go with "maint on" only`,
        "maint",
      );
    }
    return { method: action === "off" ? "DELETE" : "GET", query: "" };
  }
  if (reason === undefined) {
    throw new UsageError(`Missing --reason for "maint on": say why vitals is held DOWN`, "maint");
  }
  try {
    const params = new URLSearchParams({ reason: maintenanceReason(reason) });
    for (const group of maintenanceScopes(groups)) params.append("group", group);
    return { method: "POST", query: `?${params}` };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), "maint");
  }
}

/**
 * Runs `maint <action>` and returns the exit code.
 *
 * @throws {UsageError} for a missing or unknown action, a reason or group that
 * is not accepted, an option that does not go with the action, a `--url`,
 * `$VITALS_URL`, `$VITALS_PORT` or `$VITALS_TLS` that is not valid, or a token
 * or TLS file that cannot be used
 * @example
 * ```ts ignore
 * const code = await maintCommand("on", { reason: "db migration" }, ["--reason", "db migration"], platform);
 * // stdout: maintenance on (ready) since 2026-05-04T10:00:00.000Z: db migration
 * ```
 */
export async function maintCommand(
  action: string | undefined,
  flags: Flags,
  args: readonly string[],
  platform: Pick<Platform, "env" | "fetch" | "fetchTls" | "readTextFile">,
): Promise<number> {
  if (action !== "on" && action !== "off" && action !== "status") {
    throw new UsageError(
      `Expected on, off or status after "maint", got ${
        action === undefined ? "nothing" : `"${action}"`
      }`,
      "maint",
    );
  }
  const { method, query } = requestOf(action, flags, args);
  const env = platform.env();
  const flag = stringFlag(flags, "url");
  const base = flag !== undefined
    ? httpUrl(flag, "--url", "maint")
    : env["VITALS_URL"]
    ? httpUrl(env["VITALS_URL"], "VITALS_URL", "maint")
    : localOrigin(env, "maint");
  const url = `${base.replace(/\/+$/, "")}/maintenance`;
  const token = await controlToken(flags, platform);
  const tls = await servedTls(url, flags, platform, "maint");
  const fail = (why: string) => {
    console.error(`vitals maint: ${why}`);
    return 1;
  };
  const signal = AbortSignal.timeout(MAINT_TIMEOUT_MS);
  let response: Response;
  try {
    response = await sendServed(platform, `${url}${query}`, {
      method,
      signal,
      redirect: "manual",
      headers: {
        "user-agent": `vitals-maint/${VERSION}`,
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
    }, tls);
  } catch (error) {
    return fail(
      `${hideUrlCredentials(url)} ${
        noAnswer(error, signal, MAINT_TIMEOUT_MS, url, tls?.cert !== undefined)
      }`,
    );
  }
  const text = await bodyText(response);
  if (response.status === 401) {
    const hint = token === undefined
      ? " (none was sent: set VITALS_CONTROL_TOKEN or --token-file)"
      : "";
    return fail(`refused: the control token is missing or wrong${hint}`);
  }
  if (response.status === 404) {
    return fail("the maintenance switch is off: set server.controlToken");
  }
  let body: (State & { error?: string }) | undefined;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: quoted below as it came.
  }
  if (response.status === 200 && typeof body?.on === "boolean") {
    console.log(stateLine(body));
    return 0;
  }
  const said = typeof body?.error === "string" ? body.error : text.trim().slice(0, 200);
  return fail(
    `${hideUrlCredentials(url)} answered ${response.status}${
      said === "" ? "" : ` ${escapeControl(said)}`
    }`,
  );
}
