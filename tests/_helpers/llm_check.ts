/**
 * An `llm` check built in code for the scenario tests against the stand-ins
 * (`llm_stand_in.ts`), one run read as its per-group verdicts, and the
 * stand-in's own count of the generation requests it was sent.
 *
 * @module
 */

import type { Check } from "../../src/checks/check.ts";
import { createCheck } from "../../src/checks/create_check.ts";
import type { Clock } from "../../src/clock.ts";
import type { CheckConfig } from "../../src/config/resolve.ts";
import type { StandIn } from "./llm_stand_in.ts";
import { platform } from "./platform.ts";

/** The model every stand-in is started with. */
export const MODEL = "test-model";

/**
 * An `llm` check of `server` at `url` for {@link MODEL} in all three groups,
 * with `extra` keys (`generate`, `stall`, `metricsUrl`, `apiKey`, ...) over a
 * 10 s timeout; on `clock` when given.
 */
export function llmCheck(
  server: string,
  url: string,
  extra: Record<string, unknown> = {},
  clock?: Clock,
): Check {
  const config = {
    name: "llm",
    type: "llm",
    server,
    url,
    model: MODEL,
    timeout: 10_000,
    critical: true,
    groups: ["started", "ready", "live"],
    interval: 30_000,
    failureThreshold: 1,
    successThreshold: 1,
    ...extra,
  };
  return createCheck(config as unknown as CheckConfig, clock ? { platform, clock } : { platform });
}

/** One run: "started ready live" verdicts ("UP WARN UP"), the check's own status and its message. */
export async function runOnce(
  check: Check,
): Promise<{ verdicts: string; status: string; message: string }> {
  const result = await check.run();
  const by = result.byGroup ?? {};
  const verdicts = [by.started?.status, by.ready?.status, by.live?.status].join(" ");
  return { verdicts, status: result.status, message: result.message };
}

/** The requests the stand-in got on its generation routes (answered, failed or hung). */
export async function generationRequests(standIn: StandIn): Promise<number> {
  const requests = (await standIn.stats()).requests as Record<string, number>;
  return Object.entries(requests)
    .filter(([route]) => /^POST .*(generate|completions)$/.test(route))
    .reduce((sum, [, count]) => sum + count, 0);
}

/** How many times the stand-in's API port was asked for its metrics (`GET /metrics...`). */
export async function metricsScrapes(standIn: StandIn): Promise<number> {
  const requests = (await standIn.stats()).requests as Record<string, number>;
  return Object.entries(requests)
    .filter(([route]) => route.startsWith("GET /metrics"))
    .reduce((sum, [, count]) => sum + count, 0);
}

/** Waits `ms` of real time (the stand-ins' simulated traffic moves their counters every 100 ms). */
export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
