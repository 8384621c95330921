// Secret config values (src/config/secrets.ts) in config errors: a mistyped
// secret is reported by key path and line, never by value, and an invalid URL
// without its credentials.

import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "../src/config/error.ts";
import { parseConfig } from "../src/config/load.ts";

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
