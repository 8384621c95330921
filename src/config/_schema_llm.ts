/**
 * The schema of an `llm` check's own values: the servers it knows, the model
 * name or pattern, and the deep probe (`generate`) with its problems. The
 * check's mapping itself is in `_schema_checks.ts`, the stall keys in
 * `_schema_llm_stall.ts`.
 *
 * @module
 */

import { z } from "zod";
import { duration, nonEmpty } from "./_schema_values.ts";

/** The LLM servers an `llm` check knows, one preset each (src/checks/llm/presets/). */
export const LLM_SERVERS = [
  "tabbyapi",
  "vllm",
  "llamacpp",
  "ollama",
  "tgi",
  "sglang",
  "triton",
  "openai",
] as const;

/** Servers whose probes need a model name: `model` is required for them. */
export const MODEL_REQUIRED: ReadonlySet<string> = new Set(["ollama", "triton", "openai"]);

/** An exact model name, or `/regex/` (a JavaScript pattern between slashes). */
export const modelName = nonEmpty("a model name, or a /regex/").refine((value) => {
  if (!/^\/.+\/$/.test(value)) return true;
  try {
    new RegExp(value.slice(1, -1));
    return true;
  } catch {
    return false;
  }
}, { error: "expected a valid regular expression between the slashes" });

/**
 * An `llm` check's deep probe: one real generation of one token, at most once
 * per `interval` (unset: 5m, ollama 10m), in `timeout`; `false` turns it off.
 */
export const llmGenerate = z.union([
  z.literal(false),
  z.strictObject({
    interval: duration({ min: 1 }).optional(),
    timeout: duration({ min: 1 }).prefault("30s"),
    warnAfter: duration({ min: 1 }).optional(),
    downAfter: duration({ min: 1 }).optional(),
    prompt: nonEmpty("a short prompt").prefault("hi"),
  }),
], { error: "expected false, or a mapping with interval, timeout, warnAfter, downAfter, prompt" });

/** The deep probe's problems: its times in order, and a check timeout that leaves it room. */
export function llmGenerateProblems(
  check: { timeout?: number | undefined; generate: z.infer<typeof llmGenerate> },
  context: z.RefinementCtx,
): void {
  const generate = check.generate;
  if (generate === false) return;
  const say = (key: string, message: string) =>
    context.addIssue({ code: "custom", path: ["generate", key], message });
  if (generate.downAfter !== undefined && generate.downAfter >= generate.timeout) {
    say("downAfter", "expected a duration below generate.timeout");
  }
  const warnLimit = generate.downAfter ?? generate.timeout;
  if (generate.warnAfter !== undefined && generate.warnAfter >= warnLimit) {
    say(
      "warnAfter",
      `expected a duration below generate.${
        generate.downAfter === undefined ? "timeout" : "downAfter"
      }`,
    );
  }
  if (check.timeout !== undefined && check.timeout <= generate.timeout) {
    context.addIssue({
      code: "custom",
      path: ["timeout"],
      message:
        "expected a timeout above generate.timeout: a run may include a generation (leave timeout out: generate.timeout + 5s)",
    });
  }
}
