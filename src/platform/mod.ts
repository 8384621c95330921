/**
 * Picks the {@link Platform} for the runtime vitals is running on, built from
 * three parts: what the runtime's globals give (`_runtime/globals.ts`: fetch,
 * signals, environment, exit), what is the runtime's own (`deno.ts` or
 * `bun.ts`: processes, TCP, the HTTP server, files), and what both take from
 * the same `node:` modules (`_node/node_part.ts`: TLS, HTTP/2).
 *
 * Only the first is there at once, with `checkServerTls`
 * (`_tls/check_server_tls.ts`), which must answer synchronously and reaches
 * `node:crypto` only when called; the other two are imported on the first
 * call of one of their methods, so that a command loads only what it uses
 * (BENCHMARKS.md, "`vitals probe` start to exit"). `vitals probe`,
 * `--version` and `--help` never make such a call
 * (`tests/scenarios/cli_imports.test.ts` checks what each command loads).
 *
 * @module
 */

import { globalsPlatform } from "./_runtime/globals.ts";
import { checkServerTls } from "./_tls/check_server_tls.ts";
import type { Platform } from "./platform.ts";

export * from "./platform.ts";
export * from "./platform_error.ts";
export { nodeParseArgs } from "./_runtime/parse_args.ts";

let current: Platform | undefined;

/** The members loaded on first use. */
type LoadedPart = Omit<Platform, keyof NonNullable<ReturnType<typeof globalsPlatform>>>;

/**
 * Returns the platform for the current runtime, created once.
 *
 * @example
 * ```ts
 * const platform = detectPlatform();
 * console.log(platform.runtime); // "deno" or "bun"
 * ```
 */
export function detectPlatform(): Platform {
  if (current) return current;
  const part = globalsPlatform();
  if (!part) throw new Error("Cannot start vitals: it runs on Deno or Bun, and found neither");
  const runtime = part.runtime === "bun"
    ? () => import("./bun.ts").then((module) => module.bunPlatform())
    : () => import("./deno.ts").then((module) => module.denoPlatform());
  const load = () =>
    Promise.all([runtime(), import("./_node/node_part.ts")])
      .then(([own, node]) => ({ ...own, ...node.nodePart, checkServerTls }));
  current = { ...part, ...loadedOnFirstUse(load) };
  return current;
}

/** The loaded members, each importing the implementation on its first call. */
function loadedOnFirstUse(load: () => Promise<LoadedPart>): LoadedPart {
  let loaded: LoadedPart | undefined;
  let loading: Promise<LoadedPart> | undefined;
  const get = () => loading ??= load().then((platform) => loaded = platform);
  return {
    spawn: (options) => loaded ? loaded.spawn(options) : get().then((p) => p.spawn(options)),
    connect: (hostname, port, signal) =>
      loaded
        ? loaded.connect(hostname, port, signal)
        : get().then((p) => p.connect(hostname, port, signal)),
    fetchTls: (url, init, tls) =>
      loaded ? loaded.fetchTls(url, init, tls) : get().then((p) => p.fetchTls(url, init, tls)),
    handshake: (hostname, port, signal, tls) =>
      loaded
        ? loaded.handshake(hostname, port, signal, tls)
        : get().then((p) => p.handshake(hostname, port, signal, tls)),
    serve: (options) => loaded ? loaded.serve(options) : get().then((p) => p.serve(options)),
    http2: () => loaded ? loaded.http2() : get().then((p) => p.http2()),
    // Synchronous, so not loaded with the rest: it reaches node:crypto on its first call.
    checkServerTls,
    readTextFile: (path, maxBytes) =>
      loaded
        ? loaded.readTextFile(path, maxBytes)
        : get().then((p) => p.readTextFile(path, maxBytes)),
    stat: (path) => loaded ? loaded.stat(path) : get().then((p) => p.stat(path)),
    writeFileAtomic: (path, text) =>
      loaded
        ? loaded.writeFileAtomic(path, text)
        : get().then((p) => p.writeFileAtomic(path, text)),
  };
}
