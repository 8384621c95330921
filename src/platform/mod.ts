/**
 * Picks the {@link Platform} for the runtime vitals is running on.
 *
 * The platform is built in two parts so that a command loads only what it
 * uses: what the runtime's globals give (`_globals.ts`) is there at once, and
 * the rest (`bun.ts` or `deno.ts`: processes, sockets, TLS, files, the
 * server) is imported on the first call of one of its methods. `vitals
 * probe`, `--version` and `--help` never make such a call
 * (`tests/cli_imports.test.ts` checks what each command loads).
 *
 * @module
 */

import { globalsPlatform } from "./_globals.ts";
import type { Platform } from "./platform.ts";

export * from "./platform.ts";
export * from "./platform_error.ts";

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
  const load = part.runtime === "bun"
    ? () => import("./bun.ts").then((module) => module.bunPlatform())
    : () => import("./deno.ts").then((module) => module.denoPlatform());
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
    readTextFile: (path, maxBytes) =>
      loaded
        ? loaded.readTextFile(path, maxBytes)
        : get().then((p) => p.readTextFile(path, maxBytes)),
    stat: (path) => loaded ? loaded.stat(path) : get().then((p) => p.stat(path)),
  };
}
