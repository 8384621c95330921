// Secret config values (src/config/secrets.ts) in config errors: a mistyped
// secret is reported by key path and line, never by value, and an invalid URL
// without its credentials; the server's tokens are secret paths, rejected
// without their value when mistyped or malformed, and may be empty.

import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "../../src/config/error.ts";
import { parseConfig } from "../../src/config/load.ts";
import { isSecretPath } from "../../src/config/secrets.ts";

test("a mistyped secret in the config is reported by key path and line, never by value", () => {
  const cases: { yaml: string; secret: string; where: RegExp }[] = [
    {
      yaml: "checks:\n  - name: t\n    type: tabbyapi\n    url: http://127.0.0.1:5000\n" +
        "    apiKey: 12345678\n",
      secret: "12345678",
      where: /t\.yaml:5:\d+: checks\[0\]\.apiKey: expected a string, got "\*\*\*"/,
    },
    {
      yaml: "checks:\n  - name: t\n    type: http\n    url: http://127.0.0.1/\n" +
        "    headers: { X: 1234567 }\n",
      secret: "1234567",
      where: /t\.yaml:5:\d+: checks\[0\]\.headers\.X: expected a string, got "\*\*\*"/,
    },
    {
      yaml: "checks:\n  - name: t\n    type: http\n    url: http://127.0.0.1/\n" +
        "    headers: 99887766\n",
      secret: "99887766",
      where: /t\.yaml:5:\d+: checks\[0\]\.headers: .*got "\*\*\*"/,
    },
    {
      yaml: "checks:\n  - name: t\n    type: command\n    command: [x]\n" +
        "    env:\n      TOKEN: 7654321\n",
      secret: "7654321",
      where: /t\.yaml:6:\d+: checks\[0\]\.env\.TOKEN: expected a string, got "\*\*\*"/,
    },
    {
      yaml: "checks:\n  - name: t\n    type: tabbyapi\n    url: http://127.0.0.1:5000\n" +
        "    apiKey: true\n",
      secret: "true",
      where: /t\.yaml:5:\d+: checks\[0\]\.apiKey: expected a string, got "\*\*\*"/,
    },
  ];
  for (const { yaml, secret, where } of cases) {
    let caught: unknown;
    try {
      parseConfig(yaml, "t.yaml", {});
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof ConfigError, `expected a ConfigError for:\n${yaml}`);
    assert.match(caught.message, where);
    assert.ok(!caught.message.includes(secret), caught.message);
    for (const problem of caught.problems) assert.ok(!problem.message.includes(secret));
  }
});

test("an invalid URL in the config is reported without its credentials", () => {
  for (const url of ["ftp://user:pa55word@a/", "'http://user:pa55word@a b/'"]) {
    assert.throws(
      () => parseConfig(`checks:\n  - name: t\n    type: http\n    url: ${url}\n`, "t.yaml", {}),
      (error: unknown) =>
        error instanceof ConfigError && /checks\[0\]\.url/.test(error.message) &&
        !error.message.includes("pa55word"),
    );
  }
});

test("the server's metricsToken, detailsToken and controlToken are secret paths", () => {
  assert.ok(isSecretPath(["server", "controlToken"]));
  assert.ok(isSecretPath(["server", "metricsToken"]));
  assert.ok(isSecretPath(["server", "detailsToken"]));
  assert.ok(!isSecretPath(["server", "host"]));
  assert.ok(!isSecretPath(["server", "port"]));
});

/** The ConfigError that parsing `yaml` throws. */
function configError(yaml: string): ConfigError {
  try {
    parseConfig(yaml, "t.yaml", {});
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  return assert.fail(`expected a ConfigError for:\n${yaml}`);
}

const ONE_CHECK = "checks:\n  - {name: a, type: tcp, port: 5432}\n";

test("a numeric metricsToken, detailsToken or controlToken is rejected without showing the number", () => {
  for (const key of ["metricsToken", "detailsToken", "controlToken"]) {
    const error = configError(`server:\n  ${key}: 12345\n${ONE_CHECK}`);
    assert.match(
      error.message,
      new RegExp(`t\\.yaml:2:\\d+: server\\.${key}: expected a string, got "\\*\\*\\*"`),
    );
    assert.ok(!error.message.includes("12345"), error.message);
    for (const problem of error.problems) assert.ok(!problem.message.includes("12345"));
  }
});

test("a token with a space or a non-ASCII character is rejected naming server.metricsToken", () => {
  for (const value of ["'abc def'", "'tökén-123'", '"tab\\there"']) {
    const error = configError(`server:\n  metricsToken: ${value}\n${ONE_CHECK}`);
    assert.equal(error.problems.length, 1, error.message);
    assert.equal(error.problems[0]?.path, "server.metricsToken");
    assert.match(
      error.message,
      /server\.metricsToken: expected a token of visible ASCII characters without spaces, got "\*\*\*"/,
    );
    assert.ok(!/abc def|tökén|tab/.test(error.message), error.message);
  }
});

test("an empty metricsToken or detailsToken is allowed: it means no token", () => {
  const config = parseConfig(
    `server:\n  metricsToken: ""\n  detailsToken: \${UNSET_TOKEN:-}\n${ONE_CHECK}`,
    "t.yaml",
    {},
  );
  assert.equal(config.server.metricsToken, "");
  assert.equal(config.server.detailsToken, "");
});

test(
  "a secret value holding a ${ of no supported form is reported without the text it holds",
  () => {
    const cases = [
      "checks:\n  - name: t\n    type: tabbyapi\n    url: http://127.0.0.1:5000\n" +
      "    apiKey: 'Xy7${Qz9w-pass'\n",
      "checks:\n  - name: t\n    type: http\n    url: http://127.0.0.1/\n" +
      "    headers: { Authorization: 'Bearer ${Qz9w-pass' }\n",
      "checks:\n  - name: t\n    type: command\n    command: [x]\n" +
      "    env: { TOKEN: '${T:=Qz9w-pass}' }\n",
    ];
    for (const yaml of cases) {
      const error = configError(yaml);
      assert.match(error.message, /t\.yaml:5:\d+: checks\[0\]\.(apiKey|headers|env)/);
      assert.ok(!error.message.includes("Qz9w"), error.message);
    }
  },
);
