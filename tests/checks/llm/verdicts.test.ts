// The llm kind's verdict table (src/checks/llm/verdicts.ts): each phase and
// cause gives started, ready and live their status, unreachable depends on
// whether the server had started, and the check's own status is the worst of
// the groups it is in.

import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type Cause,
  failing,
  idle,
  loading,
  type Look,
  serving,
} from "../../../src/checks/llm/look.ts";
import { groupStatuses, outcomeOf } from "../../../src/checks/llm/verdicts.ts";

const row = (look: Look, started = false) => {
  const { started: s, ready, live } = groupStatuses(look, started);
  return `${s} ${ready} ${live}`;
};

test("loading is DOWN for started and ready, UP for live", () => {
  assert.equal(row(loading('llama.cpp says "Loading model"')), "DOWN DOWN UP");
});

test("serving and idle are UP everywhere", () => {
  assert.equal(row(serving("m")), "UP UP UP");
  assert.equal(row(idle('model "m" not loaded, loads on demand')), "UP UP UP");
});

test("each failing cause gives the table's verdicts", () => {
  const expected: Record<Exclude<Cause, "unreachable">, string> = {
    engine: "DOWN DOWN DOWN",
    stall: "DOWN DOWN DOWN",
    unhealthy: "DOWN DOWN DOWN",
    model: "DOWN DOWN UP",
    auth: "DOWN DOWN UP",
    busy: "UP DOWN UP",
    protocol: "DOWN DOWN UP",
  };
  for (const [cause, verdicts] of Object.entries(expected)) {
    assert.equal(row(failing(cause as Cause, "x")), verdicts, cause);
  }
});

test("unreachable fails liveness only once the server had started", () => {
  assert.equal(row(failing("unreachable", "refused"), false), "DOWN DOWN UP");
  assert.equal(row(failing("unreachable", "refused"), true), "DOWN DOWN DOWN");
});

test("the check's own status is the worst verdict of its groups, and only its groups get one", () => {
  const look = loading("x");
  const all = outcomeOf(look, false, ["started", "ready", "live"]);
  assert.equal(all.status, "DOWN");
  assert.deepEqual(Object.keys(all.byGroup ?? {}).sort(), ["live", "ready", "started"]);
  const liveOnly = outcomeOf(look, false, ["live"]);
  assert.equal(liveOnly.status, "UP");
  assert.deepEqual(liveOnly.byGroup, { live: { status: "UP", message: "loading: x" } });
  assert.equal(liveOnly.message, "loading: x");
});

test("the look helpers name the phase in the message", () => {
  assert.equal(serving("m").message, 'serving model "m"');
  assert.equal(idle("asleep").message, "idle: asleep");
  assert.equal(loading("warming up").message, "loading: warming up");
  assert.deepEqual(failing("model", "gone"), { phase: "failing", cause: "model", message: "gone" });
});
