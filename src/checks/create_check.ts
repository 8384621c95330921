/**
 * Builds runnable checks from config: picks the kind's probe and wraps it in
 * the runner (`wrap_probe.ts`).
 *
 * @module
 */

import { type Clock, systemClock } from "../clock.ts";
import type { CheckConfig } from "../config/resolve.ts";
import { secretsOf } from "../config/secrets.ts";
import type { Platform } from "../platform/platform.ts";
import type { Check, Probe } from "./check.ts";
import { commandProbe } from "./command.ts";
import { fileProbe } from "./file.ts";
import { grpcProbe } from "./grpc.ts";
import { httpProbe } from "./http.ts";
import { responseJudge } from "./_http_conditions.ts";
import { tabbyProbe } from "./tabbyapi.ts";
import { tcpProbe } from "./tcp.ts";
import { wrapProbe } from "./wrap_probe.ts";
import { withTls } from "./_tls.ts";

/** What checks need from the outside world. */
export interface CheckDeps {
  readonly platform: Platform;
  readonly clock?: Clock;
}

function probeFor(config: CheckConfig, deps: CheckDeps): Probe {
  const { platform } = deps;
  switch (config.type) {
    case "command":
      return commandProbe(config, platform);
    case "tcp":
      return tcpProbe(config, platform, deps.clock);
    case "http": {
      // One judge per check: with tls, withTls builds the probe on each run.
      const judge = responseJudge(config);
      return withTls(
        config,
        platform,
        deps.clock ?? systemClock,
        (send) => httpProbe(config, send, deps.clock ?? systemClock, judge),
      );
    }
    case "tabbyapi":
      return withTls(
        config,
        platform,
        deps.clock ?? systemClock,
        (send) => tabbyProbe(config, send),
      );
    case "file":
      return fileProbe(config, platform, deps.clock ?? systemClock);
    case "grpc":
      return grpcProbe(config, platform);
  }
}

/** What a check's state depends on: the probe's own settings, not how its results count. */
function probeKey(config: CheckConfig): string {
  const {
    groups: _g,
    failureThreshold: _f,
    successThreshold: _s,
    critical: _c,
    interval: _i,
    ...probe
  } = config;
  return JSON.stringify(probe);
}

/**
 * Creates the runnable check for one configured check.
 *
 * @example
 * ```ts ignore
 * const config = parseConfig("checks: [{name: db, type: tcp, port: 5432}]", "inline.yaml", {});
 * const check = createCheck(config.checks[0]!, { platform: detectPlatform() });
 * const result = await check.run(); // never rejects
 * ```
 */
export function createCheck(config: CheckConfig, deps: CheckDeps): Check {
  return wrapProbe(
    {
      name: config.name,
      type: config.type,
      critical: config.critical,
      timeout: config.timeout,
      groups: config.groups,
      interval: config.interval,
      failureThreshold: config.failureThreshold,
      successThreshold: config.successThreshold,
      key: probeKey(config),
    },
    probeFor(config, deps),
    deps.clock,
    secretsOf(config),
  );
}
