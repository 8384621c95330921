/**
 * The step harness of the `llm` preset scenarios (tests/scenarios/external/
 * llm_presets*.test.ts): drive a stand-in (`llm_stand_in.ts`) through its
 * phases by its control port, run the check after each step, and assert the
 * verdicts of started, ready and live and the message; plus the steps every
 * server shares.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Check } from "../../src/checks/check.ts";
import { llmCheck, MODEL } from "./llm_check.ts";
import { type StandIn, startStandIn } from "./llm_stand_in.ts";

/** started ready live, as one string: "DOWN DOWN UP". */
export type Verdicts = string;

export const LOADING: Verdicts = "DOWN DOWN UP";
export const WORKING: Verdicts = "UP UP UP";
export const NOT_READY: Verdicts = "DOWN DOWN UP";
export const ALL_DOWN: Verdicts = "DOWN DOWN DOWN";

/** One step: drive the stand-in (or cause a fault), then one run of the check. */
export interface Step {
  readonly label: string;
  readonly control?: Record<string, unknown>;
  readonly cause?: (standIn: StandIn) => Promise<void>;
  readonly verdicts: Verdicts;
  readonly message: string | RegExp;
  /** Run again until the expectation holds, for at most this many ms (a fault that lands later). */
  readonly within?: number;
}

async function look(check: Check): Promise<{ verdicts: Verdicts; message: string }> {
  const result = await check.run();
  const by = result.byGroup ?? {};
  const verdicts = [by.started?.status, by.ready?.status, by.live?.status].join(" ");
  const worst = verdicts.includes("DOWN") ? "DOWN" : "UP";
  assert.equal(
    result.status,
    worst,
    `the check's own status is the worst of its groups: ${result.message}`,
  );
  return { verdicts, message: result.message };
}

/** Starts the stand-in of `server` with `args`, runs each step on one check (with `extra` keys), stops it. */
export async function drive(
  server: string,
  args: string[],
  extra: Record<string, unknown>,
  steps: readonly Step[],
): Promise<void> {
  const standIn = await startStandIn(server, ["--model", MODEL, ...args]);
  try {
    const check = llmCheck(server, standIn.url, { timeout: 5000, ...extra });
    for (const step of steps) {
      if (step.control) await standIn.control(step.control);
      if (step.cause) await step.cause(standIn);
      const deadline = Date.now() + (step.within ?? 0);
      let seen = await look(check);
      const holds = () =>
        seen.verdicts === step.verdicts &&
        (typeof step.message === "string"
          ? seen.message === step.message
          : step.message.test(seen.message));
      while (!holds() && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        seen = await look(check);
      }
      assert.equal(seen.verdicts, step.verdicts, `${server}, ${step.label}: ${seen.message}`);
      if (typeof step.message === "string") {
        assert.equal(seen.message, step.message, `${server}, ${step.label}`);
      } else {
        assert.match(seen.message, step.message, `${server}, ${step.label}`);
      }
    }
  } finally {
    await standIn.stop();
  }
}

export const SERVING = `serving model "${MODEL}"`;
export const WRONG = `model "${MODEL}" is not loaded: serving "other-model"`;
export const refusedFirst = (route: string): Step => ({
  label: "refused before the first answer",
  verdicts: LOADING,
  message: `loading: not listening yet (${route}: connection refused)`,
});
export const refusedLoading = (route: string): Step => ({
  ...refusedFirst(route),
  label: "loading (refused)",
  control: { phase: "loading" },
});
/** The stand-in turned to phase `loading`: the check says `message`. */
export const loadingStep = (message: string, label = "loading"): Step => ({
  label,
  control: { phase: "loading" },
  verdicts: LOADING,
  message,
});
export const servingStep: Step = {
  label: "serving",
  control: { phase: "serving" },
  verdicts: WORKING,
  message: SERVING,
};
export const wrongModel: Step = {
  label: "wrong model",
  control: { phase: "wrong_model" },
  verdicts: NOT_READY,
  message: WRONG,
};
/** A dead engine the cheap look cannot see (its health routes stay OK): only the deep probe does. */
export const engineUnseen = (message = SERVING): Step => ({
  label: "engine dead (unseen)",
  control: { phase: "engine_dead" },
  verdicts: WORKING,
  message,
});
export const refusedAfter = (route: string): Step => ({
  label: "refused after it served",
  control: { phase: "refused" },
  verdicts: ALL_DOWN,
  message: new RegExp(`^${route} http://127\\.0\\.0\\.1:\\d+\\S* failed: connection refused$`),
});
