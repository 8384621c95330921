/**
 * Calling vitals' HTTP handler without a socket, as the tests of the HTTP
 * layer do: requests under {@link BASE}, the answer as a `Response`, as text
 * or as a parsed full body, and the check entries it lists.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Handler } from "../../src/http/handler.ts";

/** The origin of requests made without a socket. */
export const BASE = "http://vitals.test";

/** The one-field bodies of `/health/simple` and the `?simple` routes. */
export const UP_BODY = '{"status":"UP"}';
export const DOWN_BODY = '{"status":"DOWN"}';

/** A handler, or an app whose handler to call. */
export type Target = Handler | { readonly handler: Handler };

/** A request for `path` under {@link BASE}. */
export function request(path: string, method = "GET", headers: Record<string, string> = {}) {
  return new Request(`${BASE}${path}`, { method, headers });
}

/** Calls `target`'s handler for `path`. */
export function get(
  target: Target,
  path: string,
  headers: Record<string, string> = {},
  method = "GET",
): Promise<Response> {
  const handler = typeof target === "function" ? target : target.handler;
  return Promise.resolve(handler(request(path, method, headers)));
}

/** Like {@link get}, with the body read as text. */
export async function getText(
  target: Target,
  path: string,
  headers: Record<string, string> = {},
  method = "GET",
): Promise<{ status: number; headers: Headers; body: string }> {
  const response = await get(target, path, headers, method);
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** A served check entry, as in the `checks` array of a full body. */
export interface CheckEntry {
  name: string;
  type: string;
  status: string;
  critical: boolean;
  durationMs: number;
  message: string;
  checkedAt: string;
  lastOutcome: string;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
}

/** A full `/health...` body. */
export interface FullBody {
  status: string;
  timestamp: string;
  details: string[];
  checks: CheckEntry[];
  stale?: boolean;
  ageMs?: number;
}

/** GETs `path` and returns the status code and the parsed full body. */
export async function fetchFull(
  target: Target,
  path: string,
): Promise<{ code: number; body: FullBody }> {
  const response = await get(target, path);
  return { code: response.status, body: await response.json() as FullBody };
}

/** The names of the checks listed by `path`. */
export async function namesAt(target: Target, path: string): Promise<string[]> {
  return (await fetchFull(target, path)).body.checks.map((check) => check.name);
}

/** The one check entry called `name` at `path`. */
export async function entryAt(target: Target, path: string, name: string): Promise<CheckEntry> {
  const { body } = await fetchFull(target, path);
  const entry = body.checks.find((check) => check.name === name);
  assert.ok(entry, `${name} is listed at ${path}: ${JSON.stringify(body)}`);
  return entry;
}
