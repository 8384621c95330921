// The per-group verdicts of a result (`byGroup`, the llm kind's) under the
// thresholds (src/engine/check_state.ts): kept with a result that counts,
// held at the last counted result's while a threshold holds the status.

import assert from "node:assert/strict";
import { test } from "node:test";
import { INITIAL_STATE, recordResult } from "../../src/engine/check_state.ts";
import type { RunResult } from "../../src/types.ts";

const BASE = {
  name: "llm",
  type: "llm",
  critical: true,
  durationMs: 1,
  checkedAt: new Date(0).toISOString(),
};
const SERVING: RunResult = {
  ...BASE,
  status: "UP",
  message: "serving",
  byGroup: {
    ready: { status: "UP", message: "serving" },
    live: { status: "UP", message: "serving" },
  },
};
const LOADING: RunResult = {
  ...BASE,
  status: "DOWN",
  message: "loading",
  byGroup: {
    ready: { status: "DOWN", message: "loading" },
    live: { status: "UP", message: "loading" },
  },
};
const THRESHOLDS = { failureThreshold: 2, successThreshold: 1 };

test("a result that counts keeps its group verdicts", () => {
  const state = recordResult(INITIAL_STATE, LOADING, THRESHOLDS, 1);
  assert.deepEqual(state.view?.byGroup, LOADING.byGroup);
  assert.equal(state.view?.status, "DOWN");
});

test("a result held by failureThreshold shows the counted result's group verdicts and its own message", () => {
  const serving = recordResult(INITIAL_STATE, SERVING, THRESHOLDS, 1);
  const held = recordResult(serving, LOADING, THRESHOLDS, 2);
  assert.equal(held.view?.status, "UP");
  assert.equal(held.view?.lastOutcome, "DOWN");
  assert.equal(held.view?.message, "loading");
  assert.deepEqual(held.view?.byGroup, SERVING.byGroup);
  const counted = recordResult(held, LOADING, THRESHOLDS, 3);
  assert.deepEqual(counted.view?.byGroup, LOADING.byGroup);
});

test("a held result after a result without group verdicts has none", () => {
  const { byGroup: _none, ...plain } = SERVING;
  const first = recordResult(INITIAL_STATE, plain, THRESHOLDS, 1);
  const held = recordResult(first, LOADING, THRESHOLDS, 2);
  assert.equal(held.view?.status, "UP");
  assert.equal("byGroup" in held.view!, false);
});
