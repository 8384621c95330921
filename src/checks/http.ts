/**
 * The `http` check: one request with an enforced deadline; UP when the status
 * is expected (by default 200-399, what kubelet accepts) and, if asked, the body
 * contains a string. Redirects are not followed: a 3xx is judged as it is.
 *
 * @module
 */

import { VERSION } from "../version.ts";
import { describeFetchError } from "../fetch_error.ts";
import { BODY_LIMIT, discardBody, readBody } from "./_http_read.ts";
import { down, type Probe, up } from "./check.ts";
import type { CheckConfigOf } from "../config/resolve.ts";
import type { Platform } from "../platform/platform.ts";
import { hideUrlCredentials } from "../mask.ts";

/** Whether `status` is accepted, given the configured list (or kubelet's 200-399). */
export function statusAccepted(status: number, expected?: readonly number[]): boolean {
  return expected ? expected.includes(status) : status >= 200 && status < 400;
}

function expectedText(expected?: readonly number[]): string {
  return expected ? expected.join(", ") : "200-399";
}

/**
 * Creates the probe for an http check.
 *
 * @example
 * ```ts ignore
 * const probe = httpProbe({ ...config, url: "http://127.0.0.1:3000/ready", bodyContains: "ok" });
 * await probe(signal); // { status: "UP", message: "HTTP 200" }
 * ```
 */
export function httpProbe(config: CheckConfigOf<"http">, platform: Pick<Platform, "fetch">): Probe {
  // Configured headers replace the defaults, whatever their case.
  const headers = new Headers({ "user-agent": `vitals/${VERSION}` });
  for (const [name, value] of Object.entries(config.headers ?? {})) headers.set(name, value);
  const shown = hideUrlCredentials(config.url);
  return async (signal) => {
    let response: Response;
    try {
      response = await platform.fetch(config.url, {
        method: config.method,
        headers,
        redirect: "manual",
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      return down(`${config.method} ${shown} failed: ${describeFetchError(error)}`);
    }
    const status = `HTTP ${response.status}`;
    if (!statusAccepted(response.status, config.expectStatus)) {
      discardBody(response);
      const location = response.headers.get("location");
      const redirect = location ? `, redirect to ${hideUrlCredentials(location)} not followed` : "";
      return down(`${status}${redirect} (expected ${expectedText(config.expectStatus)})`);
    }
    if (config.bodyContains === undefined) {
      discardBody(response);
      return up(status);
    }
    const body = await readBody(response, BODY_LIMIT);
    if (body.text.includes(config.bodyContains)) return up(`${status}, body contains the text`);
    const read = body.truncated ? `the first ${body.bytes} bytes` : `${body.bytes} bytes`;
    return down(
      `${status} but the body does not contain ${
        JSON.stringify(config.bodyContains)
      } (read ${read})`,
    );
  };
}
