/**
 * Builds runnable checks from config: picks the kind's inspection and wraps it in
 * the runner (`runner.ts`).
 *
 * @module
 */

import { type Clock, systemClock } from "../clock.ts";
import type { CheckConfig } from "../config/resolve.ts";
import { secretsOf } from "../config/secrets.ts";
import type { Platform } from "../platform/platform.ts";
import type { Check, Inspect } from "./check.ts";
import { commandInspect } from "./command.ts";
import { fileInspect } from "./file.ts";
import { grpcInspect } from "./grpc.ts";
import { httpInspect } from "./http.ts";
import { llmInspect, type LlmMemory } from "./llm/llm.ts";
import { responseJudge } from "./_http_conditions.ts";
import { tabbyInspect } from "./tabbyapi.ts";
import { tcpInspect } from "./tcp.ts";
import { runner } from "./runner.ts";
import { withTls } from "./_tls.ts";

/** What checks need from the outside world. */
export interface CheckDeps {
  readonly platform: Platform;
  readonly clock?: Clock;
  /**
   * What inspections remember between runs (an `llm` check: whether the
   * server has served, its deep probe and stall clock), by definition key.
   * Whoever builds the checks again on a reload passes the same map, so a
   * check whose definition is unchanged keeps its memory as the registry
   * keeps its state; unset, each check remembers on its own.
   */
  readonly memories?: Map<string, object>;
}

function inspectFor(config: CheckConfig, deps: CheckDeps): Inspect {
  const { platform } = deps;
  switch (config.type) {
    case "command":
      return commandInspect(config, platform);
    case "tcp":
      return tcpInspect(config, platform, deps.clock);
    case "http": {
      // One judge per check: with tls, withTls builds the inspection on each run.
      const judge = responseJudge(config);
      return withTls(
        config,
        platform,
        deps.clock ?? systemClock,
        (send) => httpInspect(config, send, deps.clock ?? systemClock, judge),
      );
    }
    case "tabbyapi":
      return withTls(
        config,
        platform,
        deps.clock ?? systemClock,
        (send) => tabbyInspect(config, send),
      );
    case "llm": {
      // One memory per definition: with tls, withTls builds the inspection on each run.
      const key = definitionKey(config);
      const memory = (deps.memories?.get(key) as LlmMemory | undefined) ?? { started: false };
      deps.memories?.set(key, memory);
      return withTls(
        config,
        platform,
        deps.clock ?? systemClock,
        (send) => llmInspect(config, send, deps.clock ?? systemClock, memory),
      );
    }
    case "file":
      return fileInspect(config, platform, deps.clock ?? systemClock);
    case "grpc":
      return grpcInspect(config, platform);
  }
}

/** What a check's state depends on: the inspection's own settings, not how its results count. */
function definitionKey(config: CheckConfig): string {
  const {
    groups: _g,
    failureThreshold: _f,
    successThreshold: _s,
    critical: _c,
    interval: _i,
    ...inspection
  } = config;
  return JSON.stringify(inspection);
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
  return runner(
    {
      name: config.name,
      type: config.type,
      critical: config.critical,
      timeout: config.timeout,
      groups: config.groups,
      interval: config.interval,
      failureThreshold: config.failureThreshold,
      successThreshold: config.successThreshold,
      key: definitionKey(config),
    },
    inspectFor(config, deps),
    deps.clock,
    secretsOf(config),
  );
}
