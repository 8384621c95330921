// The config's schema (src/config/schema.ts): what configJsonSchema
// describes, that the committed vitals.schema.json is what vitals generates,
// and that config.example.yaml points editors at it; and, through parseConfig,
// that header names, header values and apiKeys that cannot go on the wire are
// rejected with their key path.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { ConfigError } from "../../src/config/error.ts";
import { parseConfig } from "../../src/config/load.ts";
import { configJsonSchema } from "../../src/config/schema.ts";
import { ROOT } from "../_helpers/files.ts";

test("configJsonSchema describes a strict top-level object that requires checks", () => {
  const schema = configJsonSchema();
  assert.equal(typeof schema.$schema, "string");
  assert.match(String(schema.$schema), /json-schema\.org/);
  assert.equal(schema.type, "object");
  assert.equal(schema.additionalProperties, false);
  assert.ok(Array.isArray(schema.required), "required is a list");
  assert.ok((schema.required as unknown[]).includes("checks"));
  assert.ok(
    !(schema.required as unknown[]).includes("server"),
    "sections with defaults are optional",
  );
  const properties = schema.properties as Record<string, unknown>;
  assert.deepEqual(
    Object.keys(properties).sort(),
    ["cache", "checks", "defaults", "pool", "server"],
  );
  assert.equal(schema.title, "vitals config");
  assert.doesNotThrow(() => JSON.stringify(schema), "the schema is plain JSON");
});

test("the committed vitals.schema.json equals the schema vitals generates", async () => {
  const committed = JSON.parse(await readFile(`${ROOT}/vitals.schema.json`, "utf8"));
  assert.deepEqual(committed, configJsonSchema(), "run: vitals schema > vitals.schema.json");
});

test("config.example.yaml points editors at the committed schema", async () => {
  const example = await readFile(`${ROOT}/config.example.yaml`, "utf8");
  assert.equal(example.split("\n")[0], "# yaml-language-server: $schema=./vitals.schema.json");
});

// ---------------------------------------------------------------------------
// Values that cannot go on the wire

/** The one problem parsing `yaml` reports. */
function onlyProblem(yaml: string): { path: string | undefined; message: string; all: string } {
  try {
    parseConfig(yaml, "t.yaml", {});
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.equal(error.problems.length, 1, error.message);
    const [problem] = error.problems;
    return { path: problem?.path, message: problem?.message ?? "", all: error.message };
  }
  return assert.fail(`expected a ConfigError for:\n${yaml}`);
}

/** An http check with `headers` (YAML flow mapping text). */
const withHeaders = (headers: string) =>
  `checks:\n  - name: web\n    type: http\n    url: http://127.0.0.1/\n    headers: ${headers}\n`;

test("a header name with a space or a colon is rejected with its key path", () => {
  for (
    const [name, path] of [["X Probe", 'checks[0].headers["X Probe"]'], [
      "X:Probe",
      'checks[0].headers["X:Probe"]',
    ]] as const
  ) {
    const problem = onlyProblem(withHeaders(`{"${name}": yes-value}`));
    assert.equal(problem.path, path);
    assert.ok(problem.all.includes(`t.yaml:5:`), problem.all);
    assert.ok(problem.all.includes(path), problem.all);
  }
});

test(
  "a header name with a space is reported with the header-name hint, not as a mistyped mapping",
  () => {
    const problem = onlyProblem(withHeaders(`{"X Probe": yes-value}`));
    assert.match(problem.message, /expected a header name of letters, digits/);
    assert.match(problem.message, /"X Probe"/);
  },
);

test("a header value with a line break is rejected with its key path, its value hidden", () => {
  for (const value of ['"a\\nInjected: 1"', '"a\\r\\nInjected: 1"', '"bell\\a"']) {
    const problem = onlyProblem(withHeaders(`{X-Probe: ${value}}`));
    assert.equal(problem.path, 'checks[0].headers["X-Probe"]');
    assert.equal(
      problem.message,
      'expected a header value without line breaks or control characters, got "***"',
    );
    assert.ok(!problem.all.includes("Injected"), problem.all);
  }
});

test("an apiKey with a line break is rejected with its key path, its value hidden", () => {
  const problem = onlyProblem(
    "checks:\n  - name: llm\n    type: tabbyapi\n    url: http://127.0.0.1:5000\n" +
      '    apiKey: "key-1\\nInjected: 1"\n',
  );
  assert.equal(problem.path, "checks[0].apiKey");
  assert.equal(
    problem.message,
    'expected a key without line breaks or control characters, got "***"',
  );
  assert.ok(problem.all.includes("t.yaml:5:"), problem.all);
  assert.ok(!problem.all.includes("key-1") && !problem.all.includes("Injected"), problem.all);
});

test("header values and apiKeys of visible text, spaces and tabs are accepted", () => {
  const config = parseConfig(
    withHeaders('{Authorization: "Bearer abc", X-Tab: "a\\tb", X-Empty: ""}') +
      "  - name: llm\n    type: tabbyapi\n    url: http://127.0.0.1:5000\n" +
      "    apiKey: 'key with spaces'\n",
    "t.yaml",
    {},
  );
  assert.equal(config.checks.length, 2);
});
