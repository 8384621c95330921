/**
 * The `/maintenance` route: the maintenance switch (engine/maintenance.ts)
 * over the HTTP port, for an operator holding `server.controlToken`.
 *
 * - `GET` (or `HEAD`) reads the state, `POST ?reason=...&group=ready` (the
 *   group repeatable, `ready` when none) turns it on or updates it, `DELETE`
 *   turns it off; each answers 200 with the state as JSON:
 *   `{"on":true,"reason":...,"since":...,"groups":[...]}` or `{"on":false}`.
 * - Without the token in `Authorization: Bearer`, 401 with
 *   `WWW-Authenticate: Bearer`, and nothing changes. A reason or group that
 *   is not accepted, or another query parameter, gets 400 and changes nothing.
 * - Requests carry no body (the servers answer one with 413 without reading
 *   it): the reason travels in the query string.
 *
 * The handler routes here only while a control token is configured; without
 * one, `/maintenance` is an unknown path (404) like any other.
 *
 * @module
 */

import type { Maintenance, MaintenanceState } from "../engine/maintenance.ts";
import type { ConnectionInfo } from "../platform/platform.ts";
import { errorBody, hasBody, respond } from "./_respond.ts";
import { tokenMatches } from "./token.ts";

/** The path of the route. */
export const MAINTENANCE_PATH = "/maintenance";

/** The methods the route answers. */
export const MAINTENANCE_ALLOW = "GET, HEAD, POST, DELETE";

/** The query parameters `POST` reads. */
const PARAMETERS = new Set(["reason", "group"]);

/**
 * Who changed the switch, for its log line: the peer's address as the server
 * saw it (IPv6 as is, an IPv4-mapped `::ffff:127.0.0.1` as `127.0.0.1`), or
 * `local` when the handler was called without one. The token, not the
 * address, is what authorizes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { requester } from "./_maintenance_route.ts";
 * assert.equal(requester({ remoteAddress: "::ffff:10.0.0.7" }), "10.0.0.7");
 * assert.equal(requester({ remoteAddress: "::1" }), "::1");
 * assert.equal(requester(undefined), "local");
 * ```
 */
export function requester(info: ConnectionInfo | undefined): string {
  const address = info?.remoteAddress;
  if (!address) return "local";
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

/** The state as the route answers it. */
const stateBody = (state: MaintenanceState) => JSON.stringify(state);

/** Turns the switch on from `POST`'s query; a 400 for what it does not accept. */
function turnOn(maintenance: Maintenance, query: string, method: string, by: string): Response {
  const params = new URLSearchParams(query);
  const unknown = [...new Set(params.keys())].filter((name) => !PARAMETERS.has(name));
  if (unknown.length > 0) {
    const names = unknown.map((name) => JSON.stringify(name)).join(", ");
    return respond(
      errorBody(`unknown query parameter ${names}: expected reason and group`),
      400,
      method,
    );
  }
  const reasons = params.getAll("reason");
  if (reasons.length !== 1) {
    const error = reasons.length === 0
      ? "a reason is required: POST /maintenance?reason=..."
      : `expected one reason, got ${reasons.length}`;
    return respond(errorBody(error), 400, method);
  }
  try {
    const state = maintenance.turnOn(reasons[0]!, params.getAll("group"), by);
    return respond(stateBody(state), 200, method);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return respond(errorBody(error.message), 400, method);
  }
}

/**
 * Answers one `/maintenance` request against `maintenance`, `token` being
 * the configured control token (a plain token or the form `tokenMatches`
 * accepts) and `info` the peer, named in the switch's log line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Maintenance } from "../engine/maintenance.ts";
 * import { maintenanceAnswer } from "./_maintenance_route.ts";
 * const maintenance = new Maintenance();
 * const post = new Request("http://localhost/maintenance?reason=db+migration", {
 *   method: "POST",
 *   headers: { authorization: "Bearer s3cret" },
 * });
 * const response = await maintenanceAnswer(post, "reason=db+migration", maintenance, "s3cret");
 * assert.equal(response.status, 200);
 * assert.ok(maintenance.covers("ready"));
 * ```
 */
export async function maintenanceAnswer(
  request: Request,
  query: string,
  maintenance: Maintenance,
  token: string,
  info?: ConnectionInfo,
): Promise<Response> {
  const method = request.method;
  if (method !== "GET" && method !== "HEAD" && method !== "POST" && method !== "DELETE") {
    const body = errorBody(`method ${method} not allowed`, { allow: MAINTENANCE_ALLOW });
    return respond(body, 405, method, undefined, { allow: MAINTENANCE_ALLOW });
  }
  if (hasBody(request)) {
    const body = errorBody("request bodies are not accepted: send the reason in the query string");
    return respond(body, 413, method);
  }
  // Awaited, so a token check that answers with a promise works as one that answers at once.
  if (!(await tokenMatches(request.headers.get("authorization"), token))) {
    const body = errorBody("unauthorized: send Authorization: Bearer <controlToken>");
    return respond(body, 401, method, undefined, { "www-authenticate": 'Bearer realm="vitals"' });
  }
  if (method === "POST") return turnOn(maintenance, query, method, requester(info));
  const state = method === "DELETE" ? maintenance.turnOff(requester(info)) : maintenance.state;
  return respond(stateBody(state), 200, method);
}
