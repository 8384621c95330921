// A check with a verdict per group (`byGroup`, the llm kind's) in each scope's
// summary (src/engine/summary.ts): a group scope takes that group's verdict,
// `all` the check's own counted status; a check without `byGroup` is
// summarised as before, down to the same view object.

import assert from "node:assert/strict";
import { test } from "node:test";
import { INITIAL_STATE, recordResult } from "../../src/engine/check_state.ts";
import { inGroup, summarize } from "../../src/engine/summary.ts";
import type { Group, GroupVerdict, RunResult, Status } from "../../src/types.ts";

const FLAGS = { draining: false, startedLatched: false, configProblem: undefined };
const GROUPS: Group[] = ["started", "ready", "live"];

function result(
  status: Status,
  message: string,
  byGroup?: Partial<Record<Group, GroupVerdict>>,
): RunResult {
  return {
    name: "llm",
    type: "llm",
    status,
    critical: true,
    durationMs: 1,
    message,
    checkedAt: new Date(0).toISOString(),
    ...(byGroup === undefined ? {} : { byGroup }),
  };
}

const LOADING = result("DOWN", "loading: x", {
  started: { status: "DOWN", message: "loading: x" },
  ready: { status: "DOWN", message: "loading: x" },
  live: { status: "UP", message: "loading: x" },
});
const SERVING = result("UP", 'serving model "m"', {
  started: { status: "UP", message: 'serving model "m"' },
  ready: { status: "UP", message: 'serving model "m"' },
  live: { status: "UP", message: 'serving model "m"' },
});

function entryAfter(results: RunResult[], failureThreshold = 1, successThreshold = 1) {
  let state = INITIAL_STATE;
  for (const [index, one] of results.entries()) {
    state = recordResult(state, one, { failureThreshold, successThreshold }, index);
  }
  return { check: { name: "llm", critical: true, groups: GROUPS }, state };
}

test("a loading llm check is DOWN in started, ready and /health, and UP in live", () => {
  const entries = [entryAfter([LOADING])];
  const status = (scope: "all" | Group) => summarize(entries, scope, FLAGS, 0, "t").status;
  assert.deepEqual(
    {
      all: status("all"),
      started: status("started"),
      ready: status("ready"),
      live: status("live"),
    },
    { all: "DOWN", started: "DOWN", ready: "DOWN", live: "UP" },
  );
  const live = summarize(entries, "live", FLAGS, 0, "t");
  assert.equal(live.checks[0]?.status, "UP");
  assert.deepEqual(live.details, []);
  assert.deepEqual(summarize(entries, "ready", FLAGS, 0, "t").details, ["llm: loading: x"]);
});

test("a check without byGroup counts its own status in every group, as the same view", () => {
  const plain = entryAfter([result("DOWN", "refused")]);
  for (const group of GROUPS) {
    assert.equal(inGroup(plain.state.view!, group), plain.state.view);
    assert.equal(summarize([plain], group, FLAGS, 0, "t").status, "DOWN", group);
  }
});

test("a threshold holding the counted status holds every group's verdict with it", () => {
  // Serving, then one loading run with failureThreshold 2: still counted UP everywhere.
  const held = entryAfter([SERVING, LOADING], 2);
  assert.equal(held.state.view?.status, "UP");
  assert.equal(held.state.view?.lastOutcome, "DOWN");
  for (const group of GROUPS) {
    assert.equal(summarize([held], group, FLAGS, 0, "t").status, "UP", group);
  }
  // The second loading run counts: the loading verdicts count with it.
  const counted = entryAfter([SERVING, LOADING, LOADING], 2);
  assert.equal(summarize([counted], "ready", FLAGS, 0, "t").status, "DOWN");
  assert.equal(summarize([counted], "live", FLAGS, 0, "t").status, "UP");
});

test("recovering under successThreshold keeps live UP and ready DOWN until the success counts", () => {
  const recovering = entryAfter([LOADING, SERVING], 1, 2);
  assert.equal(recovering.state.view?.status, "DOWN");
  assert.equal(summarize([recovering], "live", FLAGS, 0, "t").status, "UP");
  const ready = summarize([recovering], "ready", FLAGS, 0, "t");
  assert.equal(ready.status, "DOWN");
  assert.deepEqual(ready.details, [
    'llm: still counted DOWN after 1 UP result: serving model "m"',
  ]);
  const recovered = entryAfter([LOADING, SERVING, SERVING], 1, 2);
  assert.equal(summarize([recovered], "ready", FLAGS, 0, "t").status, "UP");
});

test("a group's view takes its verdict as its last outcome, so a loading check is a pass in live", () => {
  const view = entryAfter([LOADING]).state.view!;
  const live = inGroup(view, "live");
  assert.equal(live.status, "UP");
  assert.equal(live.lastOutcome, "UP");
  assert.equal(inGroup(view, "ready").lastOutcome, "DOWN");
  assert.equal(view.lastOutcome, "DOWN");
});
