/**
 * Routing for the handler: splitting a request URL into its path and query,
 * and finding the scope and body kind a path asks for.
 *
 * @module
 */

import type { Scope } from "../types.ts";

/** Path to scope, for the health routes. */
const ROUTES = new Map<string, Scope>([
  ["/health", "all"],
  ["/health/live", "live"],
  ["/health/ready", "ready"],
  ["/health/started", "started"],
]);

/** Every routed path, listed in the 404 body (`/` answers only a browser: see http/page.ts). */
export const ROUTE_LIST = [
  ...[...ROUTES.keys()].flatMap((path) => [path, `${path}/simple`]),
  "/health/history",
  "/metrics",
];

/**
 * What a request asks for: one scope's status (full or one-field), the
 * metrics, the status page's JSON (`/health/history`), the page (`/`) or the
 * maintenance switch (`/maintenance`, served only with a control token).
 */
export type Target = ScopeTarget | "metrics" | "history" | "page" | "maintenance";

/** One scope's status, full or one-field. */
export interface ScopeTarget {
  readonly scope: Scope;
  readonly simple: boolean;
}

/** Each health path's full and one-field targets, built once (BENCHMARKS.md, "Serving from cache"). */
const FULL = new Map<string, readonly [ScopeTarget, ScopeTarget]>(
  [...ROUTES].map(([path, scope]) => [
    path,
    [Object.freeze({ scope, simple: false }), Object.freeze({ scope, simple: true })],
  ]),
);
/** Each `/simple` path's target. */
const SIMPLE = new Map<string, ScopeTarget>(
  [...FULL].map(([path, [, simple]]) => [`${path}/simple`, simple]),
);

/** Finds the scope and body kind for a path, or `undefined` for no route. */
export function route(path: string, query: string): Exclude<Target, "metrics"> | undefined {
  const simple = SIMPLE.get(path);
  if (simple) return simple;
  const full = FULL.get(path);
  if (full) return full[hasParam(query, "simple") ? 1 : 0];
  if (path === "/health/history") return "history";
  if (path === "/") return "page";
  if (path === "/maintenance") return "maintenance";
  return undefined;
}

/** Whether the query string (without `?`) has the parameter `name`, with or without a value. */
function hasParam(query: string, name: string): boolean {
  if (query === "") return false;
  return query.split("&").some((part) => part === name || part.startsWith(`${name}=`));
}

/** Splits a URL into its path, without trailing slashes, and its query. */
export function splitUrl(url: string): { path: string; query: string } {
  // Bun passes a relative URL for a request without a Host header (HTTP/1.0).
  const start = url.startsWith("/") ? 0 : url.indexOf("/", url.indexOf("//") + 2);
  if (start === -1) return { path: "/", query: "" };
  const hash = url.indexOf("#", start);
  const end = hash === -1 ? url.length : hash;
  const mark = url.indexOf("?", start);
  const pathEnd = mark !== -1 && mark < end ? mark : end;
  let path = url.slice(start, pathEnd);
  while (path.length > 1 && path.endsWith("/")) path = path.slice(0, -1);
  return { path, query: pathEnd < end ? url.slice(pathEnd + 1, end) : "" };
}
