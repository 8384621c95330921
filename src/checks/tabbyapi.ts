/**
 * The `tabbyapi` check: the health of a TabbyAPI LLM server, per its real
 * contract (see shared/reference/tabbyapi.md): `GET /health` answers 200
 * `{"status":"healthy","issues":[]}` or 503 `{"status":"unhealthy","issues":[...]}`,
 * and with `requireModel`, `GET /v1/model` says whether a model is loaded.
 *
 * @module
 */

import { hideUrlCredentials, maskSecrets } from "../mask.ts";
import { plural } from "../text.ts";
import { VERSION } from "../version.ts";
import { describeFetchError } from "../fetch_error.ts";
import { discardBody, readBody } from "./http_read.ts";
import { down, type Inspect, type Outcome, up } from "./check.ts";
import type { CheckConfigOf } from "../config/resolve.ts";
import type { Platform } from "../platform/platform.ts";

/** Status words that mean healthy: the server says "healthy", some clients "ok". */
const HEALTHY = new Set(["healthy", "ok"]);
/** How many of the newest issues go into the message. */
const ISSUES_SHOWN = 5;

interface Issue {
  time?: unknown;
  description?: unknown;
}

type Fetched =
  | { kind: "response"; response: Response; json: unknown; text: string }
  | { kind: "failed"; outcome: Outcome };

/** Summarises the newest issues, newest first. */
export function formatIssues(issues: readonly Issue[]): string {
  if (issues.length === 0) return "no issues listed";
  const newest = issues.slice(-ISSUES_SHOWN).reverse().map((issue) => {
    const time = typeof issue.time === "string" ? `[${issue.time}] ` : "";
    const description = typeof issue.description === "string"
      ? issue.description
      : "(no description)";
    return `${time}${description}`;
  });
  const more = issues.length > ISSUES_SHOWN ? ` (newest ${ISSUES_SHOWN} shown)` : "";
  return `${plural(issues.length, "issue")}${more}: ${newest.join("; ")}`;
}

function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, "") + path;
}

async function getJson(
  send: Platform["fetch"],
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<Fetched> {
  let response: Response;
  try {
    response = await send(url, { headers, redirect: "manual", signal });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    return {
      kind: "failed",
      outcome: down(`GET ${hideUrlCredentials(url)} failed: ${describeFetchError(error)}`),
    };
  }
  if (response.status >= 300 && response.status < 400) {
    discardBody(response);
    const location = response.headers.get("location") ?? "?";
    return {
      kind: "failed",
      outcome: down(
        `HTTP ${response.status} from ${hideUrlCredentials(url)}, redirect to ${
          hideUrlCredentials(location)
        } not followed`,
      ),
    };
  }
  let text: string;
  try {
    ({ text } = await readBody(response));
  } catch (error) {
    // The runtimes word a body cut short apart; say what happened, as http does.
    if (signal.aborted) throw error;
    return {
      kind: "failed",
      outcome: down(
        `HTTP ${response.status} from ${
          hideUrlCredentials(url)
        }, but the body could not be read: the connection failed before its end`,
      ),
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { kind: "response", response, json, text };
}

function notJson(
  url: string,
  fetched: { response: Response; text: string },
  headers: Record<string, string>,
): Outcome {
  const type = fetched.response.headers.get("content-type") ?? "no content type";
  // Mask before cutting: a key cut in two would not be recognised afterwards.
  const start = maskSecrets(fetched.text, secretsIn(headers)).trim().slice(0, 80);
  return down(
    `HTTP ${fetched.response.status} from ${
      hideUrlCredentials(url)
    } is not TabbyAPI JSON (${type}): ${JSON.stringify(start)}`,
  );
}

/** The API key as sent, in both headers. */
function secretsIn(headers: Record<string, string>): string[] {
  const key = headers["x-api-key"];
  return key ? [key] : [];
}

async function checkHealth(
  send: Platform["fetch"],
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<Outcome> {
  const fetched = await getJson(send, url, headers, signal);
  if (fetched.kind === "failed") return fetched.outcome;
  const { response, json } = fetched;
  if (response.status === 404) {
    return down(
      `HTTP 404 from ${
        hideUrlCredentials(url)
      }: no health endpoint there (TabbyAPI serves GET /health at the root)`,
    );
  }
  if (response.status !== 200 && response.status !== 503) {
    return down(`unexpected HTTP ${response.status} from ${hideUrlCredentials(url)}`);
  }
  const body = json as { status?: unknown; issues?: unknown } | undefined;
  if (typeof body !== "object" || body === null || typeof body.status !== "string") {
    return notJson(url, fetched, headers);
  }
  const issues = Array.isArray(body.issues) ? body.issues as Issue[] : [];
  if (response.status === 200 && HEALTHY.has(body.status)) return up(body.status);
  return down(`${body.status} (HTTP ${response.status}): ${formatIssues(issues)}`);
}

async function checkModel(
  send: Platform["fetch"],
  url: string,
  headers: Record<string, string>,
  hasKey: boolean,
  signal: AbortSignal,
): Promise<Outcome> {
  const fetched = await getJson(send, url, headers, signal);
  if (fetched.kind === "failed") return fetched.outcome;
  const { response, json } = fetched;
  if (response.status === 503) return down("healthy, but no model loaded");
  if (response.status === 401 || response.status === 403) {
    return down(
      hasKey ? "API key rejected by /v1/model" : "API key required by /v1/model: set apiKey",
    );
  }
  if (response.status !== 200) {
    return down(`unexpected HTTP ${response.status} from ${hideUrlCredentials(url)}`);
  }
  const id = (json as { id?: unknown } | undefined)?.id;
  if (typeof id !== "string") return notJson(url, fetched, headers);
  return up(`healthy, model ${JSON.stringify(id)} loaded`);
}

/**
 * Creates the inspection for a tabbyapi check.
 *
 * @example
 * ```ts ignore
 * const inspect = tabbyInspect({ ...config, url: "http://127.0.0.1:5000", path: "/health" });
 * await inspect(signal); // { status: "UP", message: "healthy" }
 * ```
 */
export function tabbyInspect(
  config: CheckConfigOf<"tabbyapi">,
  platform: Pick<Platform, "fetch">,
): Inspect {
  const headers: Record<string, string> = {
    "user-agent": `vitals/${VERSION}`,
    accept: "application/json",
  };
  const hasKey = config.apiKey !== undefined && config.apiKey !== "";
  if (hasKey) {
    headers["x-api-key"] = config.apiKey!;
    headers["authorization"] = `Bearer ${config.apiKey}`;
  }
  const healthUrl = joinUrl(config.url, config.path);
  const modelUrl = joinUrl(config.url, "/v1/model");
  return async (signal) => {
    const health = await checkHealth(platform.fetch, healthUrl, headers, signal);
    if (health.status === "DOWN" || !config.requireModel) return health;
    return await checkModel(platform.fetch, modelUrl, headers, hasKey, signal);
  };
}
