// The deep probe's config (src/checks/llm/deep_probe.ts and the `generate`
// key of src/config/_schema_checks.ts): on by default with a 30 s timeout and
// the prompt "hi", every 5 minutes (Ollama 10), off with `false`; the check's
// timeout defaults to generate.timeout + 5 s; downAfter below the timeout,
// warnAfter below downAfter, and a check timeout that leaves the generation
// room. The probe against real servers: tests/scenarios/external/llm_deep_probe.test.ts.

import assert from "node:assert/strict";
import { test } from "node:test";
import { deepSettings } from "../../../src/checks/llm/deep_probe.ts";
import { ConfigError } from "../../../src/config/error.ts";
import { parseConfig } from "../../../src/config/load.ts";

const FILE = "vitals.yaml";

function llm(extra: string, server = "vllm") {
  const check = parseConfig(
    `checks: [{ name: llm, type: llm, server: ${server}, url: http://a, model: m${extra} }]`,
    FILE,
    {},
  ).checks[0]!;
  assert.ok(check.type === "llm");
  return check;
}

function problems(extra: string): string[] {
  try {
    llm(extra);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems.map((problem) => `${problem.path}: ${problem.message}`);
  }
  return assert.fail("expected a ConfigError");
}

test("the deep probe is on by default: 30s timeout, every 5m, prompt hi; the check's timeout 35s", () => {
  const check = llm("");
  assert.deepEqual(deepSettings(check), {
    interval: 300_000,
    timeout: 30_000,
    warnAfter: undefined,
    downAfter: undefined,
    prompt: "hi",
  });
  assert.equal(check.timeout, 35_000);
  assert.equal(deepSettings(llm("", "ollama"))?.interval, 600_000);
});

test("generate takes its keys, and false turns it off", () => {
  const check = llm(
    ", generate: { interval: 1m, timeout: 10s, warnAfter: 2s, downAfter: 5s, prompt: ok }",
  );
  assert.deepEqual(deepSettings(check), {
    interval: 60_000,
    timeout: 10_000,
    warnAfter: 2_000,
    downAfter: 5_000,
    prompt: "ok",
  });
  assert.equal(check.timeout, 15_000);
  const off = llm(", generate: false, timeout: 3s");
  assert.equal(deepSettings(off), undefined);
  assert.equal(off.timeout, 3_000);
});

test("downAfter below the timeout, warnAfter below downAfter, the check's timeout above both", () => {
  assert.deepEqual(problems(", generate: { timeout: 10s, downAfter: 10s }"), [
    "checks[0].generate.downAfter: expected a duration below generate.timeout",
  ]);
  assert.deepEqual(problems(", generate: { downAfter: 5s, warnAfter: 5s }"), [
    "checks[0].generate.warnAfter: expected a duration below generate.downAfter",
  ]);
  assert.deepEqual(problems(", generate: { timeout: 10s, warnAfter: 20s }"), [
    "checks[0].generate.warnAfter: expected a duration below generate.timeout",
  ]);
  assert.deepEqual(problems(", timeout: 10s"), [
    "checks[0].timeout: expected a timeout above generate.timeout: a run may include a generation (leave timeout out: generate.timeout + 5s)",
  ]);
  assert.deepEqual(problems(", generate: { timeot: 1s }").length, 1);
});
