/**
 * Wires a loaded config into the running parts: checks, the cached health
 * status, the HTTP handler and the status-change log lines.
 *
 * @module
 */

import { createCheck } from "../checks/create_check.ts";
import { type Clock, systemClock } from "../clock.ts";
import { plural } from "../text.ts";
import { Health } from "../engine/health.ts";
import type { Logger } from "../log.ts";
import type { Platform } from "../platform/platform.ts";
import { createHandler, type Handler } from "../http/handler.ts";
import type { Config } from "../config/resolve.ts";
import type { InternalErrorCounter } from "../http/metrics.ts";
import type { TlsPortsSource } from "../http/metrics_tls.ts";
import type { HealthStatus } from "../types.ts";

/** The assembled sidecar. */
export interface App {
  readonly health: Health;
  readonly handler: Handler;
  /** The config in force; replaced by {@link App.reload}. */
  readonly config: Config;
  /**
   * Switches to a new config: its new checks run first, then the checks, the
   * engine's settings and the rest of the config switch in one step.
   */
  reload(config: Config): Promise<void>;
}

function settingsOf(config: Config) {
  return {
    ttl: config.cache.ttl,
    poolSize: config.pool.size,
    mode: config.cache.mode,
    maxWait: config.server.maxWait,
  };
}

/**
 * The name this vitals goes by on its status page, in `/health/history` and
 * in the text body: `server.name`, else `$POD_NAME`, else `$HOSTNAME`, else
 * the host's name, else `vitals`; an empty value counts as unset.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serverName } from "./create_app.ts";
 * const platform = { env: () => ({ HOSTNAME: "node-7" }), hostname: () => "node-7.internal" };
 * assert.equal(serverName(undefined, platform), "node-7");
 * assert.equal(serverName("checkout", platform), "checkout");
 * ```
 */
export function serverName(
  configured: string | undefined,
  platform: Pick<Platform, "env" | "hostname">,
): string {
  if (configured) return configured;
  const env = platform.env();
  return env["POD_NAME"] || env["HOSTNAME"] || platform.hostname() || "vitals";
}

/**
 * Describes a new status for the log: the first status, and every change
 * (`UP -> DOWN: redis: cannot connect ...`). Returns `undefined` when nothing changed.
 */
export function describeTransition(
  next: HealthStatus,
  previous: HealthStatus | undefined,
): string | undefined {
  const details = next.details.length > 0 ? `: ${next.details.join("; ")}` : "";
  if (!previous) return `status ${next.status} (${plural(next.checks.length, "check")})${details}`;
  if (previous.status === next.status) return undefined;
  return `${previous.status} -> ${next.status}${details}`;
}

/**
 * Builds the sidecar from a config. `internalErrors` (the guard's count) and
 * `tls` (the ports serving TLS, as the TLS keeper knows them) feed `/metrics`.
 *
 * @example
 * ```ts ignore
 * const app = createApp(config, { platform, log });
 * await platform.serve({ hostname: "0.0.0.0", port: 8080, handler: app.handler });
 * ```
 */
export function createApp(
  config: Config,
  deps: {
    platform: Platform;
    log: Logger;
    clock?: Clock;
    internalErrors?: InternalErrorCounter;
    tls?: TlsPortsSource;
  },
): App {
  // What inspections remember, by definition key: kept across reloads as check state is.
  const memories = new Map<string, object>();
  const checkDeps = {
    platform: deps.platform,
    ...(deps.clock ? { clock: deps.clock } : {}),
    memories,
  };
  const build = (next: Config) => next.checks.map((check) => createCheck(check, checkDeps));
  const health = new Health({
    checks: build(config),
    ...settingsOf(config),
    ...(deps.clock ? { clock: deps.clock } : {}),
    onEvaluated(next, previous) {
      deps.log.debug("evaluated", {
        status: next.status,
        checks: next.checks.length,
        down: next.checks.filter((check) => check.status === "DOWN").length,
        warn: next.checks.filter((check) => check.status === "WARN").length,
      });
      const line = describeTransition(next, previous);
      if (line === undefined) return;
      const fields = { status: next.status, previous: previous?.status };
      if (next.status === "DOWN") deps.log.warn(line, fields);
      else deps.log.info(line, fields);
    },
    onCheckResult(next, previous) {
      // One line per change of a check's own outcome, never one per run.
      if (next.lastOutcome === (previous?.lastOutcome ?? "UP")) return;
      const fields = { check: next.name, type: next.type, critical: next.critical };
      if (next.lastOutcome === "DOWN") {
        deps.log.warn(`check ${next.name} DOWN: ${next.message}`, fields);
      } else if (next.lastOutcome === "WARN") {
        deps.log.warn(`check ${next.name} WARN: ${next.message}`, fields);
      } else {
        deps.log.info(`check ${next.name} UP again: ${next.message}`, fields);
      }
    },
  });
  let current = config;
  // Worked out on first use: a one-shot `vitals check` never asks for it.
  let name: string | undefined;
  const handler = createHandler(health, {
    onError: (error) =>
      deps.log.error(`Request failed: ${error instanceof Error ? error.message : error}`),
    access: () => current.server,
    runtime: deps.platform.runtime,
    // Read from the clock that stamps check results, so the two compare.
    startedAt: (deps.clock ?? systemClock).date().getTime(),
    internalErrors: deps.internalErrors,
    tls: deps.tls,
    name: () => name ??= serverName(current.server.name, deps.platform),
  });
  // One line as the switch goes on, changes or goes off: its reason, scopes and who.
  health.maintenance.onChange(({ state, previous, by }) => {
    const shown = state.on ? state : previous;
    if (!shown.on) return;
    const groups = shown.groups.join(", ");
    const fields = { reason: shown.reason, groups, by };
    if (!state.on) {
      deps.log.info(`maintenance off (${groups}) by ${by}; it was: ${shown.reason}`, fields);
      return;
    }
    const verb = previous.on ? "changed" : "on";
    deps.log.warn(`maintenance ${verb} (${groups}) by ${by}: ${shown.reason}`, fields);
  });
  return {
    health,
    handler,
    get config() {
      return current;
    },
    async reload(next) {
      const checks = build(next);
      const prepared = await health.prepare(checks, next.cache.ttl);
      if (!prepared) return; // a later reload, or shutdown, overtook this one
      health.commit(prepared, settingsOf(next));
      const inForce = new Set(checks.map((check) => check.key));
      for (const key of memories.keys()) if (!inForce.has(key)) memories.delete(key);
      current = next;
      name = undefined;
    },
  };
}
