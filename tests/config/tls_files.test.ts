// A check's TLS files (src/config/tls_files.ts), read when the config is
// loaded from a file: a missing file is a config problem naming the file, the
// key path and the line, and a file that is not PEM is one that never quotes
// the file. Files openssl makes (a key pasted where a path goes, relative
// paths, reloads, the key as a secret) are in
// tests/scenarios/external/tls.test.ts.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { after, test } from "node:test";
import type { ConfigError } from "../../src/config/error.ts";
import { rejectedFile } from "../_helpers/config.ts";

const DIR = mkdtempSync(`${tmpdir()}/vitals-tls-files-`);
after(() => rmSync(DIR, { recursive: true, force: true }));

/** A YAML value for a path. */
const q = (text: string) => JSON.stringify(text);

let configs = 0;

/** Loads a config with `checks` (YAML list items) expected to be rejected; returns the ConfigError. */
function rejected(checks: string): Promise<ConfigError> {
  const file = `${DIR}/vitals-${++configs}.yaml`;
  writeFileSync(file, `checks:\n${checks}`);
  return rejectedFile(file);
}

test("a missing tls.ca file is a config error naming the file, the key path and the line", async () => {
  const missing = `${DIR}/missing-ca.pem`;
  const error = await rejected(
    `  - name: web\n    type: http\n    url: https://127.0.0.1:8443/\n    tls:\n      ca: ${
      q(missing)
    }\n`,
  );
  assert.deepEqual(error.problems, [{
    path: "checks[0].tls.ca",
    line: 6,
    column: 11,
    message: `cannot read ${q(missing)}: file does not exist`,
  }]);
});

test("a tls file that is not PEM is a config error that never quotes the file", async () => {
  const notKey = `${DIR}/not-a-key.pem`;
  writeFileSync(notKey, "password: s3cr3t-not-pem\n");
  const error = await rejected(
    `  - {name: web, type: http, url: "https://127.0.0.1/", tls: {cert: ${q(notKey)}, key: ${
      q(notKey)
    }}}\n`,
  );
  assert.deepEqual(error.problems.map((problem) => [problem.path, problem.message]), [
    [
      "checks[0].tls.cert",
      `${
        q(notKey)
      } does not hold a PEM certificate: expected a "-----BEGIN CERTIFICATE-----" block`,
    ],
    [
      "checks[0].tls.key",
      `${
        q(notKey)
      } does not hold a PEM private key: expected a "-----BEGIN PRIVATE KEY-----" block`,
    ],
  ]);
  assert.ok(!error.message.includes("s3cr3t"));
});
