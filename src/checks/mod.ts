/**
 * Builds runnable checks from config: picks the kind's probe and wraps it in
 * the runner that enforces the timeout, measures the duration on the monotonic
 * clock, and turns every failure (even a thrown one) into a DOWN result.
 *
 * @module
 */

import { type Clock, roundMs, systemClock } from "../clock.ts";
import type { CheckConfig } from "../config/schema.ts";
import type { Platform } from "../platform/types.ts";
import { maskSecrets, secretsOf } from "../secrets.ts";
import { commandProbe } from "./command.ts";
import { httpProbe } from "./http.ts";
import { tabbyProbe } from "./tabbyapi.ts";
import { tcpProbe } from "./tcp.ts";
import { type Check, type CheckResult, down, type Outcome, type Probe } from "./types.ts";

export type { Check, CheckResult, Outcome, Probe, Status } from "./types.ts";

/** What checks need from the outside world. */
export interface CheckDeps {
  readonly platform: Platform;
  readonly clock?: Clock;
}

function probeFor(config: CheckConfig, platform: Platform): Probe {
  switch (config.type) {
    case "command":
      return commandProbe(config, platform);
    case "tcp":
      return tcpProbe(config, platform);
    case "http":
      return httpProbe(config);
    case "tabbyapi":
      return tabbyProbe(config);
  }
}

/** Why a run was aborted, for the message. */
function abortMessage(reason: unknown): string {
  if (reason instanceof DOMException && reason.name === "TimeoutError") return reason.message;
  return "cancelled: vitals is shutting down";
}

/**
 * Wraps a probe into a {@link Check} with an enforced timeout. The result is
 * returned when the timeout fires even if the probe ignores its signal.
 *
 * @example
 * ```ts
 * const check = createCheck({ name: "db", type: "tcp", host: "127.0.0.1", port: 5432, timeout: 2000, critical: true }, { platform });
 * const result = await check.run(); // never rejects
 * ```
 */
export function wrapProbe(
  meta: Omit<Check, "run">,
  probe: Probe,
  clock: Clock = systemClock,
  secrets: readonly string[] = [],
): Check {
  return {
    ...meta,
    async run(signal?: AbortSignal): Promise<CheckResult> {
      const started = clock.now();
      const controller = new AbortController();
      const timer = setTimeout(() => {
        controller.abort(new DOMException(`timed out after ${meta.timeout} ms`, "TimeoutError"));
      }, meta.timeout);
      const onCancel = () => controller.abort(signal?.reason);
      if (signal?.aborted) onCancel();
      signal?.addEventListener("abort", onCancel, { once: true });
      const aborted = new Promise<Outcome>((resolve) => {
        const settle = () => resolve(down(abortMessage(controller.signal.reason)));
        if (controller.signal.aborted) settle();
        else controller.signal.addEventListener("abort", settle, { once: true });
      });
      let outcome: Outcome;
      try {
        // An async wrapper turns a synchronous throw into a rejection, handled below.
        const running = controller.signal.aborted
          ? aborted
          : (async () => await probe(controller.signal))().catch(
            (error: unknown) => {
              if (controller.signal.aborted) return down(abortMessage(controller.signal.reason));
              return down(
                `check failed: ${error instanceof Error ? error.message : String(error)}`,
              );
            },
          );
        outcome = await Promise.race([running, aborted]);
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onCancel);
      }
      return {
        name: meta.name,
        type: meta.type,
        status: outcome.status,
        critical: meta.critical,
        durationMs: roundMs(clock.now() - started),
        message: maskSecrets(outcome.message, secrets),
        checkedAt: clock.date().toISOString(),
      };
    },
  };
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

/** Creates the runnable check for one configured check. */
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
    probeFor(config, deps.platform),
    deps.clock,
    secretsOf(config),
  );
}
