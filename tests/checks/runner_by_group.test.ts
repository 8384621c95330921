// The runner (src/checks/runner.ts) with an inspection that judges each probe
// group apart (the llm kind's `byGroup`): the verdicts reach the result with
// secrets masked as in the message, a timed-out run has none (DOWN in every
// group), and a result without them has no `byGroup` key at all.

import assert from "node:assert/strict";
import { test } from "node:test";
import { runner } from "../../src/checks/runner.ts";
import { systemClock } from "../../src/clock.ts";
import { CHECK_META } from "../_helpers/checks.ts";

const META = { ...CHECK_META, name: "llm", type: "llm", critical: true, timeout: 2000 };

test("group verdicts reach the result, their secrets masked", async () => {
  const check = runner(
    META,
    () =>
      Promise.resolve({
        status: "DOWN",
        message: "API key sk-secret-1 rejected",
        byGroup: {
          ready: { status: "DOWN", message: "API key sk-secret-1 rejected" },
          live: { status: "UP", message: "API key sk-secret-1 rejected" },
        },
      }),
    systemClock,
    ["sk-secret-1"],
  );
  const result = await check.run();
  assert.equal(result.message, "API key *** rejected");
  assert.deepEqual(result.byGroup, {
    ready: { status: "DOWN", message: "API key *** rejected" },
    live: { status: "UP", message: "API key *** rejected" },
  });
});

test("a timed-out run has no group verdicts, and a plain result no byGroup key", async () => {
  const hung = runner({ ...META, timeout: 50 }, () => new Promise(() => {}), systemClock);
  const result = await hung.run();
  assert.equal(result.status, "DOWN");
  assert.equal("byGroup" in result, false);
  const plain = runner(META, () => Promise.resolve({ status: "UP", message: "ok" }), systemClock);
  assert.equal("byGroup" in await plain.run(), false);
});
