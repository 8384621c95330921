/**
 * A small `fetch` over `node:http`, for the one case Deno's own `fetch` will
 * not serve: the ports the Fetch standard blocks (6000, 10080, ...), where a
 * health check must still reach the service. Only what checks use: method,
 * headers, an abort signal, no redirects followed, the body as a stream.
 *
 * `node:http` and `node:https` are imported on first use: loading them at
 * start-up cost about 27 ms of every `vitals probe` on Bun, which never uses
 * this file.
 *
 * @module
 */

import type { IncomingMessage } from "node:http";

/** Statuses whose responses have no body. */
function bodiless(method: string, status: number): boolean {
  return method === "HEAD" || status === 204 || status === 304;
}

function toResponse(method: string, message: IncomingMessage): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      headers.append(name, item);
    }
  }
  const status = message.statusCode ?? 0;
  if (bodiless(method, status)) {
    message.resume();
    return new Response(null, { status, headers });
  }
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      message.on("data", (chunk: Uint8Array) => controller.enqueue(new Uint8Array(chunk)));
      message.on("end", () => controller.close());
      message.on("error", (error) => controller.error(error));
    },
    cancel() {
      message.destroy();
    },
  });
  return new Response(body, { status, headers });
}

/**
 * Requests `url` and resolves with its response (redirects are not followed).
 *
 * @example
 * ```ts ignore
 * const response = await nodeFetch("http://127.0.0.1:10080/ready", { method: "GET", signal });
 * ```
 */
export async function nodeFetch(
  url: string,
  init: { method?: string; headers?: HeadersInit; signal?: AbortSignal | null },
): Promise<Response> {
  const method = init.method ?? "GET";
  const target = new URL(url);
  const send = target.protocol === "https:"
    ? (await import("node:https")).request
    : (await import("node:http")).request;
  return new Promise((resolve, reject) => {
    const request = send(target, {
      method,
      headers: Object.fromEntries(new Headers(init.headers)),
      ...(init.signal ? { signal: init.signal } : {}),
    }, (message) => {
      try {
        resolve(toResponse(method, message));
      } catch (error) {
        message.destroy();
        reject(error); // a status a Response cannot carry
      }
    });
    request.on("error", reject);
    request.end();
  });
}
