/**
 * The `http` check: one request (GET, HEAD, or POST with a fixed body) with an
 * enforced deadline, judged by its conditions (`_http_conditions.ts`): the
 * status (by default 200-399, what kubelet accepts), the body, its JSON and
 * the response time. Redirects are not followed: a 3xx is judged as it is.
 *
 * @module
 */

import { VERSION } from "../version.ts";
import { describeFetchError } from "../fetch_error.ts";
import { type ResponseJudge, responseJudge } from "./_http_conditions.ts";
import { down, type Inspect } from "./check.ts";
import { type Clock, systemClock } from "../clock.ts";
import type { CheckConfigOf } from "../config/resolve.ts";
import type { Platform } from "../platform/platform.ts";
import { hideUrlCredentials } from "../mask.ts";

/**
 * Creates the inspection for an http check.
 *
 * @example
 * ```ts ignore
 * const inspect = httpInspect({ ...config, url: "http://127.0.0.1:3000/ready", bodyContains: "ok" });
 * await inspect(signal); // { status: "UP", message: 'HTTP 200, body contains "ok"' }
 * ```
 */
export function httpInspect(
  config: CheckConfigOf<"http">,
  platform: Pick<Platform, "fetch">,
  clock: Clock = systemClock,
  judge: ResponseJudge = responseJudge(config),
): Inspect {
  // Configured headers replace the defaults, whatever their case.
  const headers = new Headers({ "user-agent": `vitals/${VERSION}` });
  for (const [name, value] of Object.entries(config.headers ?? {})) headers.set(name, value);
  // What the Fetch standard sends with a text body, which Bun's fetch leaves out.
  if (config.body !== undefined && !headers.has("content-type")) {
    headers.set("content-type", "text/plain;charset=UTF-8");
  }
  const shown = hideUrlCredentials(config.url);
  return async (signal) => {
    let response: Response;
    const started = clock.now();
    try {
      response = await platform.fetch(config.url, {
        method: config.method,
        headers,
        ...(config.body === undefined ? {} : { body: config.body }),
        redirect: "manual",
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      return down(`${config.method} ${shown} failed: ${describeFetchError(error)}`);
    }
    // The response time: until the status and headers arrived, the body not included.
    return await judge(response, clock.now() - started, signal);
  };
}
