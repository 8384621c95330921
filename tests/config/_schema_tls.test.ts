// The config schema of TLS on a check (src/config/_schema_tls.ts): tls.cert
// and tls.key go together, tls and certificate need an https:// URL (and a
// tcp check's certificate needs tls), and certificate windows take days.

import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "../../src/config/error.ts";
import { parseConfig } from "../../src/config/load.ts";

const DAY_MS = 86_400_000;

test("tls.cert and tls.key go together", () => {
  assert.throws(
    () =>
      parseConfig(
        'checks:\n  - {name: web, type: http, url: "https://h/", tls: {cert: c.pem}}\n',
        "t.yaml",
        {},
      ),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.problems[0]?.path, "checks[0].tls.key");
      assert.match(error.problems[0]?.message ?? "", /^expected key with cert: /);
      return true;
    },
  );
});

test("tls and certificate need an https:// URL, and a tcp check's certificate needs tls", () => {
  const problems = (yaml: string) => {
    try {
      parseConfig(yaml, "t.yaml", {});
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error.problems.map((problem) => `${problem.path}: ${problem.message}`);
    }
    assert.fail("the config was accepted");
  };
  assert.deepEqual(
    problems(
      'checks:\n  - {name: web, type: http, url: "http://h/", tls: {}, certificate: {}}\n',
    ),
    [
      "checks[0].tls: tls applies to https:// URLs only, and url is an http:// one",
      "checks[0].certificate: certificate applies to https:// URLs only, and url is an http:// one",
    ],
  );
  assert.deepEqual(
    problems("checks:\n  - {name: db, type: tcp, port: 5432, certificate: {warnBefore: 14d}}\n"),
    [
      "checks[0].certificate: the certificate is read in a TLS handshake: set tls too (tls: true)",
    ],
  );
});

test("certificate windows take days, up to 3650 days, while other durations still have no d", () => {
  const config = parseConfig(
    "checks:\n" +
      "  - {name: db, type: tcp, port: 5432, tls: true, certificate: {warnBefore: 30d, downBefore: 1d12h}}\n" +
      '  - {name: web, type: http, url: "https://h/", certificate: {}}\n' +
      "  - {name: off, type: tcp, port: 5433, tls: false}\n",
    "t.yaml",
    {},
  );
  const [db, web, off] = config.checks;
  assert.ok(db?.type === "tcp" && web?.type === "http" && off?.type === "tcp");
  assert.deepEqual(db.certificate, { warnBefore: 30 * DAY_MS, downBefore: 36 * 3_600_000 });
  assert.deepEqual(db.tls, { insecureSkipVerify: false });
  assert.deepEqual(web.certificate, { warnBefore: 14 * DAY_MS, downBefore: 0 });
  assert.equal(off.tls, undefined);
  for (
    const [yaml, message] of [
      [
        "certificate: {warnBefore: 3651d}",
        'expected a duration such as 14d, 36h, 1d12h or 30m, 0 or more and at most 3650 days, got "3651d"',
      ],
      [
        "certificate: {warnBefore: 14}",
        "expected a duration with a unit: write 14d or 14ms",
      ],
      [
        "certificate: {warnBefore: 14x}",
        'expected a duration such as 14d, 36h, 1d12h or 30m, with a unit (ms, s, m, h or d) after "14", got "14x"',
      ],
      [
        "timeout: 1d",
        'expected a duration such as 250ms, 5s, 1m30s or 1h, with a unit (ms, s, m or h) after "1", got "1d"',
      ],
    ]
  ) {
    assert.throws(
      () =>
        parseConfig(
          `checks:\n  - {name: db, type: tcp, port: 1, tls: true, ${yaml}}\n`,
          "t.yaml",
          {},
        ),
      (error: unknown) => error instanceof ConfigError && error.problems[0]?.message === message,
      yaml,
    );
  }
});
