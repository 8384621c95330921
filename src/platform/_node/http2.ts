/**
 * `Platform.http2` on both runtimes: `node:http2`, which Deno and Bun both
 * provide, imported on the first call and kept, with `createSecureServer`
 * adapted to vitals' TLS settings (`_tls/secure_http2.ts`).
 *
 * Not imported statically (BENCHMARKS.md, "`vitals probe` start to exit"):
 * Bun's bundler hoists a static `node:` import to the start of the compiled
 * program, and `node:http2` cost every command 20 ms there (30-40 ms to
 * load on either runtime); only gRPC checks and the gRPC server load it.
 *
 * @module
 */

import type { Http2Api } from "../platform.ts";

let http2: Promise<Http2Api> | undefined;

/**
 * `node:http2` as the {@link Http2Api} vitals uses, loaded on the first call.
 *
 * @example
 * ```ts ignore
 * const http2 = await loadHttp2();
 * const session = http2.connect("http://127.0.0.1:50051", {});
 * ```
 */
export function loadHttp2(): Promise<Http2Api> {
  return http2 ??= Promise.all([import("node:http2"), import("../_tls/secure_http2.ts")])
    .then(([module, secure]) => ({
      connect: module.connect,
      createServer: module.createServer,
      createSecureServer: (options) => secure.secureHttp2Server(module, options),
    }));
}
