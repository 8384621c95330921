// The `llm` kind's config (src/config/_schema_checks.ts): its keys, its groups
// (all three by default, not defaults.groups), `model` required where the
// server's probes need a name, `/regex/` models checked, the server names
// known, and secrets (apiKey, headers) recognised.

import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "../../src/config/error.ts";
import { parseConfig } from "../../src/config/load.ts";
import { secretsOf } from "../../src/config/secrets.ts";

const FILE = "vitals.yaml";

function problems(text: string): string[] {
  try {
    parseConfig(text, FILE, {});
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems.map((problem) => `${problem.path}: ${problem.message}`);
  }
  return assert.fail("expected a ConfigError");
}

test("an llm check takes its keys, and sits in started, ready and live by default", () => {
  const config = parseConfig(
    `defaults: { groups: [ready] }
checks:
  - name: llm
    type: llm
    server: vllm
    url: http://127.0.0.1:8000
    model: /^Qwen/
    apiKey: sk-abc123
    headers: { X-Proxy-Token: tok-xyz }
`,
    FILE,
    {},
  );
  const check = config.checks[0]!;
  assert.equal(check.type, "llm");
  assert.deepEqual(check.groups, ["started", "ready", "live"]);
  assert.ok(check.type === "llm" && check.server === "vllm" && check.model === "/^Qwen/");
  assert.deepEqual(secretsOf(check), ["sk-abc123", "tok-xyz"]);
});

test("configured groups replace the llm default", () => {
  const config = parseConfig(
    "checks: [{ name: llm, type: llm, server: tgi, url: http://a, groups: [live] }]",
    FILE,
    {},
  );
  assert.deepEqual(config.checks[0]!.groups, ["live"]);
});

test("ollama, triton and openai need model", () => {
  for (const server of ["ollama", "triton", "openai"]) {
    assert.deepEqual(
      problems(`checks: [{ name: llm, type: llm, server: ${server}, url: http://a }]`),
      [`checks[0].model: server ${server} needs the model's name: set model`],
    );
  }
});

test("an unknown server and a broken /regex/ are problems at their keys", () => {
  const unknown = problems("checks: [{ name: llm, type: llm, server: kobold, url: http://a }]");
  assert.equal(unknown.length, 1);
  assert.match(unknown[0]!, /^checks\[0\]\.server: expected one of "tabbyapi", "vllm", .*"openai"/);
  assert.deepEqual(
    problems("checks: [{ name: llm, type: llm, server: vllm, url: http://a, model: '/(/' }]"),
    ["checks[0].model: expected a valid regular expression between the slashes"],
  );
});

test("tls on an http:// url is a problem, as for http checks", () => {
  const found = problems(
    "checks: [{ name: llm, type: llm, server: vllm, url: http://a, tls: { insecureSkipVerify: true } }]",
  );
  assert.deepEqual(found, [
    "checks[0].tls: tls applies to https:// URLs only, and url is an http:// one",
  ]);
});
