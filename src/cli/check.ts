/**
 * `vitals check`: runs every check once (or, with `--wait`, until UP or the
 * time runs out), prints a table and why any check is DOWN or WARN, or the
 * `/health` JSON, and exits 0 when UP.
 *
 * @module
 */

import { sleep, systemClock } from "../clock.ts";
import { createApp } from "../app/create_app.ts";
import { durationProblem, parseDuration } from "../config/duration.ts";
import { loadConfig } from "../config/load.ts";
import type { HealthStatus } from "../types.ts";
import { fullBody } from "../http/bodies.ts";
import { textTable } from "../http/text_table.ts";
import { silentLogger } from "../log.ts";
import { escapeControl } from "../text.ts";
import type { Platform, SignalName } from "../platform/mod.ts";
import { configMissingHint, configPath, type Flags, stringFlag, UsageError } from "./flags.ts";
import { EXIT_CODES } from "./signals.ts";

/** Signals that stop `check`: its checks are cancelled and their processes killed. */
const STOP_SIGNALS: readonly SignalName[] = ["SIGTERM", "SIGINT", "SIGHUP"];

/** How often `check --wait` re-runs the checks. */
const WAIT_POLL_MS = 1_000;

/**
 * What `vitals check` prints without `--json`: the table (as `?format=text`
 * has it), then, below its status line, why: each DOWN and WARN check's name
 * and whole message (the table cuts messages at 160 characters), as the
 * `details` of `/health` word them, control characters escaped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkReport } from "./check.ts";
 * const status = {
 *   status: "DOWN" as const,
 *   timestamp: "2026-12-06T09:57:26.962Z",
 *   details: ["redis: cannot connect to 127.0.0.1:6379: connection refused"],
 *   checks: [],
 *   computedAt: 0,
 * };
 * assert.ok(checkReport(status).endsWith(
 *   "status: DOWN (0 checks at 2026-12-06T09:57:26.962Z)\n" +
 *     "  redis: cannot connect to 127.0.0.1:6379: connection refused",
 * ));
 * ```
 */
export function checkReport(status: HealthStatus): string {
  const why = status.details.map((line) => `  ${escapeControl(line)}`);
  return [textTable(status), ...why].join("\n");
}

/**
 * Runs the checks and returns the exit code: 0 UP, 1 DOWN.
 *
 * @example
 * ```ts ignore
 * const code = await checkCommand({ config: "vitals.yaml", json: true }, detectPlatform());
 * ```
 */
export async function checkCommand(
  flags: Flags,
  platform: Platform,
  signals: Pick<Platform, "onSignal"> = platform,
): Promise<number> {
  const waitText = stringFlag(flags, "wait");
  const wait = waitText === undefined ? 0 : parseDuration(waitText);
  if (wait === undefined) {
    throw new UsageError(
      `Invalid --wait "${waitText}": ${durationProblem(waitText ?? "")}`,
      "check",
    );
  }
  const env = platform.env();
  const config = await loadConfig(configPath(flags, env), platform, {
    missingHint: configMissingHint(flags, env),
  });
  const app = createApp(config, { platform, log: silentLogger });
  // Interrupted (a Docker HEALTHCHECK timeout, Ctrl-C): stop the checks, which
  // kills their processes, and report what was seen.
  let interrupted: SignalName | undefined;
  for (const name of STOP_SIGNALS) {
    signals.onSignal(name, () => {
      interrupted ??= name;
      app.health.close();
    });
  }
  const clock = systemClock;
  const deadline = clock.now() + wait;
  let status: HealthStatus = await app.health.evaluate(true);
  while (status.status !== "UP" && clock.now() < deadline && !interrupted) {
    const pause = Math.min(WAIT_POLL_MS, deadline - clock.now());
    console.error(
      `vitals: DOWN (${status.details.join("; ")}); ` +
        `retrying for ${Math.ceil((deadline - clock.now()) / 1000)} s more`,
    );
    await sleep(clock, pause);
    status = await app.health.evaluate(true);
  }
  app.health.close();
  console.log(flags.json === true ? fullBody(status) : checkReport(status));
  if (interrupted) {
    console.error(`vitals: ${interrupted} received: stopped the running checks`);
    return EXIT_CODES[interrupted];
  }
  return status.status === "UP" ? 0 : 1;
}
