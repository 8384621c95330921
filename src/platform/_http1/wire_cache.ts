/**
 * The bytes the HTTP/1.1 servers (`http1_server.ts` on Deno, `bun_server.ts`
 * on Bun) wrote for a `ReusableResponse`, kept per key, so that another
 * response with the same key is written without being read or serialised.
 *
 * Why (BENCHMARKS.md, "Serving from cache"): `bash bench/ab_serving.sh`
 * with and without this cache, five interleaved 5 s wrk runs per runtime on
 * `/health/ready/simple`: with it, median 43.5k against 37.7k req/s on Deno
 * and 58.2k against 45.3k on Bun (1.16× and 1.28×; faster in each of the ten
 * pairs). Without it, every answer is read (`arrayBuffer`) and encoded again,
 * and on Bun a warm answer goes through a promise instead of being written
 * inside the socket's `data` callback.
 *
 * @module
 */

import { ReusableResponse } from "../platform.ts";
import { serialize } from "./codec.ts";

/** Written bytes by key: keep-alive GET, HEAD, then closing GET, HEAD. */
const wires = new WeakMap<object, (Uint8Array | undefined)[]>();

/**
 * {@link serialize}, or for a `ReusableResponse` whose key was written
 * before in the same form (method, closing), the bytes written then, at once.
 *
 * @example
 * ```ts ignore
 * const serialized = serializeCached(response, close, request.method);
 * const bytes = serialized instanceof Promise ? await serialized : serialized;
 * ```
 */
export function serializeCached(
  response: Response,
  close: boolean,
  method: string,
): Uint8Array | Promise<Uint8Array> {
  if (!(response instanceof ReusableResponse)) return serialize(response, close, method);
  const { key } = response;
  const forms = wires.get(key) ?? [];
  if (forms.length === 0) wires.set(key, forms);
  const index = (close ? 2 : 0) + (method === "HEAD" ? 1 : 0);
  const known = forms[index];
  if (known) return known;
  return serialize(response, close, method).then((bytes) => forms[index] = bytes);
}
