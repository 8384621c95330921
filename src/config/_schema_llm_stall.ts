/**
 * The config keys of an `llm` check's stall watchdog: `stall` (`false`, or its
 * `stallAfter` and `scrapeTimeout`) and `metricsUrl`, and the config problem of
 * a `stall` set for a server that has no metrics. Defaults that depend on the
 * server (on or off, `stallAfter`, the metrics URL) are filled in by the check
 * (`src/checks/llm/stall_watch.ts`), not here.
 *
 * @module
 */

import { z } from "zod";
import { duration, httpUrl } from "./_schema_values.ts";

/** `stall`: `false` turns the watchdog off; a mapping turns it on with its times. */
export const llmStall = z.union([
  z.literal(false),
  z.strictObject({
    stallAfter: duration({ min: 1 }).optional(),
    scrapeTimeout: duration({ min: 1 }).prefault("2s"),
  }),
], { error: "expected false, or a mapping with stallAfter, scrapeTimeout" });

/**
 * The `llm` check's watchdog keys: `stall` (on by default where the server has
 * metrics) and `metricsUrl` (unset: url + /metrics; triton: port 8002).
 */
export const llmStallKeys = {
  stall: llmStall.optional(),
  metricsUrl: httpUrl.optional(),
};

/** The servers without a metrics page, by the name their message gives them. */
const NO_METRICS: Readonly<Record<string, string>> = {
  tabbyapi: "TabbyAPI",
  ollama: "Ollama",
  openai: "An OpenAI-compatible server",
};

/** Reports `stall` set (not `false`) for a server without metrics. */
export function llmStallProblems(
  check: { server: string; stall?: z.infer<typeof llmStall> | undefined },
  context: z.RefinementCtx,
): void {
  const name = NO_METRICS[check.server];
  if (name === undefined || check.stall === undefined || check.stall === false) return;
  context.addIssue({
    code: "custom",
    path: ["stall"],
    message:
      `${name} has no metrics: the stall watchdog cannot run (remove stall, or set stall: false)`,
  });
}
