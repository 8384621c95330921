/**
 * Hot reload: re-reads the config file on request (SIGHUP) or when its content
 * changes (`--watch`), and switches the running app to it only if it is valid.
 *
 * An invalid or unreadable file is rejected with one log line naming the
 * problem; the old config keeps running and `/health` carries a non-critical
 * `config` entry in `details` until a valid file is loaded. Watching compares
 * the file's text, polled every second, so it also sees Kubernetes ConfigMap
 * updates (a symlink swap that file-change events often miss).
 *
 * @module
 */

import { type Clock, systemClock } from "../clock.ts";
import type { App } from "./create_app.ts";
import { ConfigError, formatProblem } from "../config/error.ts";
import { loadConfigAside } from "../config/load_aside.ts";
import { MAX_CONFIG_BYTES } from "../config/limits.ts";
import { hostPort, plural } from "../text.ts";
import type { Logger } from "../log.ts";
import type { Platform } from "../platform/platform.ts";
import type { CheckConfig, Config } from "../config/resolve.ts";

/** What {@link createReloader} needs. */
export interface ReloaderDeps {
  readonly file: string;
  readonly app: App;
  readonly platform: Pick<Platform, "readTextFile" | "stat" | "env" | "workerFreesMemory">;
  readonly log: Logger;
  /** Address parts chosen by flags or the environment; they win over the file's. */
  readonly listen?: { readonly host?: string | undefined; readonly port?: number | undefined };
  /** The text of the config in force, which `watch` compares later reads with. */
  readonly text?: string;
  /** Paces `watch` (default the system clock). */
  readonly clock?: Clock;
}

/** Reloads a running app's config. */
export interface Reloader {
  /** Loads the file and applies it if valid; `reason` goes into the log line. Never rejects. */
  reload(reason: string): Promise<boolean>;
  /** Polls the file every `intervalMs` and reloads when its text changes; returns a stop function. */
  watch(intervalMs?: number): () => void;
}

/** `added a, b; removed c; changed d`, or `no check changed`. */
export function describeChanges(
  before: readonly CheckConfig[],
  after: readonly CheckConfig[],
): string {
  const old = new Map(before.map((check) => [check.name, JSON.stringify(check)]));
  const names = new Set(after.map((check) => check.name));
  const added = after.filter((check) => !old.has(check.name)).map((check) => check.name);
  const removed = before.filter((check) => !names.has(check.name)).map((check) => check.name);
  const changed = after
    .filter((check) => old.has(check.name) && old.get(check.name) !== JSON.stringify(check))
    .map((check) => check.name);
  const parts = [
    added.length > 0 ? `added ${added.join(", ")}` : "",
    removed.length > 0 ? `removed ${removed.join(", ")}` : "",
    changed.length > 0 ? `changed ${changed.join(", ")}` : "",
  ].filter((part) => part !== "");
  return parts.length > 0 ? parts.join("; ") : "no check changed";
}

/** The TLS settings of each port, whose presence a reload cannot change. */
const SCHEMES = [
  ["server.tls", (config: Config) => config.server.tls],
  ["server.grpc.tls", (config: Config) => config.server.grpc?.tls],
] as const;

/**
 * Creates the reloader for a running app.
 *
 * @example
 * ```ts ignore
 * const reloader = createReloader({ file, app, platform, log });
 * platform.onSignal("SIGHUP", () => void reloader.reload("SIGHUP"));
 * const stopWatching = reloader.watch();
 * ```
 */
export function createReloader(deps: ReloaderDeps): Reloader {
  const { file, app, platform, log } = deps;
  // Reloads run one after another, so the last file read is the one in force.
  let queue: Promise<unknown> = Promise.resolve();

  /** Applies the file; `text` is its content when the caller has just read it. */
  const apply = async (reason: string, text?: string): Promise<boolean> => {
    let next: Config;
    try {
      next = (await loadConfigAside(file, platform, text)).config;
    } catch (error) {
      const message = error instanceof ConfigError ? error.message : String(error);
      log.error(`Config reload (${reason}) rejected, keeping the running config: ${message}`);
      const first = error instanceof ConfigError ? error.problems[0] : undefined;
      const count = error instanceof ConfigError && error.problems.length > 1
        ? ` (and ${error.problems.length - 1} more)`
        : "";
      app.health.setConfigProblem(
        `reload rejected, running the previous config: ${
          first ? formatProblem(file, first) : message
        }${count}`,
      );
      return false;
    }
    const before = app.config;
    await app.reload(next);
    app.health.setConfigProblem(undefined);
    log.info(
      `config reloaded (${reason}): ${plural(next.checks.length, "check")}; ` +
        describeChanges(before.checks, next.checks),
    );
    const address = (config: Config) =>
      hostPort(deps.listen?.host ?? config.server.host, deps.listen?.port ?? config.server.port);
    if (address(before) !== address(next)) {
      log.warn(
        `server.host/server.port changed to ${address(next)}: ` +
          `restart vitals to listen there; still serving on the old address`,
      );
    }
    // A port's scheme is fixed while it listens; its certificate is not (server_tls.ts).
    for (const [key, of] of SCHEMES) {
      if ((of(before) === undefined) === (of(next) === undefined)) continue;
      log.warn(
        `${key} was ${of(next) ? "added" : "removed"}: restart vitals to ` +
          `${of(next) ? "serve TLS" : "stop serving TLS"} there; still serving as before`,
      );
    }
    return true;
  };

  const reload = (reason: string, text?: string): Promise<boolean> => {
    const run = queue.then(() => apply(reason, text));
    queue = run.catch(() => undefined);
    return run.catch((error) => {
      log.error(
        `Config reload (${reason}) failed: ${error instanceof Error ? error.message : error}`,
      );
      return false;
    });
  };

  const watch = (intervalMs = 1000): () => void => {
    // Compared with the text in force, not a first read: a change made between
    // loading and watching must not become the starting point and be missed.
    let seen: string | undefined = deps.text;
    let stopped = false;
    const clock = deps.clock ?? systemClock;
    let cancel = () => {};
    const later = () => {
      if (!stopped) cancel = clock.setTimer(intervalMs, () => void poll());
    };
    const read = () => platform.readTextFile(file, MAX_CONFIG_BYTES).catch(() => undefined);
    const poll = async () => {
      const text = await read();
      // Unreadable (for example deleted): reload once to report it, then wait for it to return.
      if (text !== seen) {
        seen = text;
        // The text just read is applied as is; an unreadable file is read again for its reason.
        await (text === undefined
          ? reload("config file unreadable")
          : reload("config file changed", text));
      }
      later();
    };
    if (deps.text !== undefined) {
      later();
    } else {
      void read().then((text) => {
        seen = text;
        later();
      });
    }
    return () => {
      stopped = true;
      cancel();
    };
  };

  return { reload, watch };
}
