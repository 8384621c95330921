/**
 * The `llm` checks' metric families of `/metrics`: the time to the first token
 * of the last test generation (the deep probe), the loaded model, the stall clock and the phase, one
 * series per `llm` check from the figures of its last run (`RunResult.llm`).
 *
 * @module
 */

import type { CheckView } from "../types.ts";

/** One family to write: name, type, HELP text and samples. */
export interface LlmFamily {
  readonly name: string;
  readonly help: string;
  readonly samples: [Record<string, string>, number][];
}

const PHASES = ["loading", "serving", "idle", "failing"] as const;

/**
 * The `llm` families for `views`; none when no check has `llm` figures.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { llmFamilies } from "./_metrics_llm.ts";
 * assert.deepEqual(llmFamilies([]), []);
 * ```
 */
export function llmFamilies(views: readonly CheckView[]): LlmFamily[] {
  const checks = views.flatMap((view) =>
    view.llm === undefined ? [] : [{ check: view.name, llm: view.llm }]
  );
  if (checks.length === 0) return [];
  return [
    {
      name: "vitals_llm_first_token_seconds",
      help:
        "Seconds to the first token of the last test generation the llm check's inspection sent, as of its last run.",
      samples: checks.flatMap(({ check, llm }) =>
        llm.firstTokenSeconds === undefined ? [] : [[{ check }, llm.firstTokenSeconds]]
      ),
    },
    {
      name: "vitals_llm_model_info",
      help: "1 for the model the llm check's inspection last saw the server serving.",
      samples: checks.flatMap(({ check, llm }) =>
        llm.model === undefined ? [] : [[{ check, server: llm.server, model: llm.model }, 1]]
      ),
    },
    {
      name: "vitals_llm_stall_seconds",
      help:
        "Seconds the llm check's stall clock had run (requests waiting, no token generated) at its last run, 0 when not running; at stall.stallAfter the check fails the startup, readiness and liveness probes.",
      samples: checks.flatMap(({ check, llm }) =>
        llm.stallSeconds === undefined ? [] : [[{ check }, llm.stallSeconds]]
      ),
    },
    {
      name: "vitals_llm_phase",
      help:
        "1 for the phase the llm check's inspection found at its last run (loading, serving, idle, failing), 0 for the others.",
      samples: checks.flatMap(({ check, llm }) =>
        PHASES.map((phase): [Record<string, string>, number] => [
          { check, phase },
          llm.phase === phase ? 1 : 0,
        ])
      ),
    },
  ].filter((entry) => entry.samples.length > 0) as LlmFamily[];
}
