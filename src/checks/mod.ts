/**
 * Builds runnable checks from config: picks the kind's probe and wraps it in
 * the runner that enforces the timeout, measures the duration on the monotonic
 * clock, and turns every failure (even a thrown one) into a DOWN result.
 *
 * @module
 */

import { type Clock, roundMs, systemClock } from "../clock.ts";
import type { CheckConfig } from "../config/schema.ts";
import { Deadlines } from "../deadlines.ts";
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

/** Every check's timeout shares one runtime timer. */
const deadlines = new Deadlines();

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
      // One promise settled by whichever comes first: the probe, the timeout or
      // the caller's cancel. No race and no listeners on the probe's own signal.
      const outcome = await new Promise<Outcome>((resolve) => {
        const controller = new AbortController();
        let settled = false;
        const finish = (outcome: Outcome) => {
          if (settled) return;
          settled = true;
          cancelTimeout();
          signal?.removeEventListener("abort", onCancel);
          resolve(outcome);
        };
        const stop = (reason: unknown) => {
          controller.abort(reason);
          finish(down(abortMessage(reason)));
        };
        const onCancel = () => stop(signal?.reason);
        const cancelTimeout = deadlines.after(
          meta.timeout,
          () => stop(new DOMException(`timed out after ${meta.timeout} ms`, "TimeoutError")),
        );
        if (signal?.aborted) return onCancel();
        signal?.addEventListener("abort", onCancel, { once: true });
        const failed = (error: unknown) =>
          finish(down(`check failed: ${error instanceof Error ? error.message : String(error)}`));
        try {
          probe(controller.signal).then(finish, failed);
        } catch (error) {
          failed(error); // a probe that throws before returning its promise
        }
      });
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
