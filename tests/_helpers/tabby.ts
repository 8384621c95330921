/**
 * A TabbyAPI stand-in for the tabbyapi check's tests: it answers exactly as
 * ../shared/reference/tabbyapi.md says the real server does, and records
 * every request; tests change its state between requests.
 *
 * @module
 */

import { json, startServer, type TestServer } from "./servers.ts";

/** State of the TabbyAPI stand-in; tests change it between requests. */
export interface TabbyState {
  issues: { time: string; description: string }[];
  model: string | undefined;
  apiKey: string;
  /** Every request seen: method, path and the key headers. */
  requests: {
    method: string;
    path: string;
    xApiKey: string | null;
    authorization: string | null;
  }[];
}

/**
 * A stand-in for TabbyAPI that answers exactly as ../shared/reference/tabbyapi.md
 * says the real server does.
 */
export async function startTabby(
  initial: Partial<TabbyState> = {},
): Promise<TestServer & { state: TabbyState }> {
  const state: TabbyState = {
    issues: [],
    model: undefined,
    apiKey: "secret-key",
    requests: [],
    ...initial,
  };
  const server = await startServer((request) => {
    const path = new URL(request.url).pathname;
    const xApiKey = request.headers.get("x-api-key");
    const authorization = request.headers.get("authorization");
    state.requests.push({ method: request.method, path, xApiKey, authorization });
    if (path === "/health") {
      if (request.method !== "GET") {
        return new Response(JSON.stringify({ detail: "Method Not Allowed" }), {
          status: 405,
          headers: { allow: "GET", "content-type": "application/json" },
        });
      }
      return state.issues.length === 0
        ? json({ status: "healthy", issues: [] })
        : json({ status: "unhealthy", issues: state.issues }, 503);
    }
    if (path === "/health/") {
      return new Response(null, { status: 307, headers: { location: "/health" } });
    }
    if (path === "/v1/model") {
      // x-api-key wins over Authorization when both are present.
      const key = xApiKey ?? authorization?.replace(/^Bearer /, "") ?? null;
      if (key === null) return json({ detail: "Please provide an API key" }, 401);
      if (key !== state.apiKey) return json({ detail: "Invalid API key" }, 401);
      if (state.model === undefined) {
        return json({ detail: "No models are currently loaded." }, 503);
      }
      return json({ id: state.model, object: "model", owned_by: "tabbyAPI" });
    }
    return json({ detail: "Not Found" }, 404);
  });
  return { ...server, state };
}
