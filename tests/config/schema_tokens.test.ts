// The server's tokens in the config schema (the `token` value of
// src/config/_schema_values.ts): a plain token, or its hash as `sha256:` and 64
// hex digits in either case; a value with the sha256: prefix (in any case)
// that is not followed by exactly 64 hex digits is a problem naming the key,
// with the file and line, and without the value; so is a bcrypt hash.

import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "../../src/config/error.ts";
import { parseConfig } from "../../src/config/load.ts";

const ONE_CHECK = "checks:\n  - {name: a, type: tcp, port: 5432}\n";
const HEX = "1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0";
const HASH_PROBLEM = 'expected "sha256:" and 64 hex digits, as vitals hash-token prints them';

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

test("a token given as sha256: and 64 hex digits, lower or upper case, is kept as written", () => {
  for (const key of ["detailsToken", "metricsToken"]) {
    for (const hash of [`sha256:${HEX}`, `sha256:${HEX.toUpperCase()}`]) {
      const config = parseConfig(`server:\n  ${key}: ${hash}\n${ONE_CHECK}`, "t.yaml", {});
      assert.equal(config.server[key as "detailsToken" | "metricsToken"], hash);
    }
  }
});

test("a plain token is kept as written, also one that is 64 hex digits without the prefix", () => {
  for (const plain of ["s3cret", HEX, "sha256-not-a-prefix", "x:sha256:y"]) {
    const config = parseConfig(`server:\n  detailsToken: "${plain}"\n${ONE_CHECK}`, "t.yaml", {});
    assert.equal(config.server.detailsToken, plain);
  }
});

test("sha256: followed by other than 64 hex digits is a problem naming the key, its line and no value", () => {
  const bad = [
    ["a digit that is no hex digit", `sha256:${HEX.slice(1)}g`],
    ["63 digits", `sha256:${HEX.slice(1)}`],
    ["65 digits", `sha256:${HEX}0`],
    ["no digits", "sha256:"],
    ["the prefix in upper case", `SHA256:${HEX}`],
    ["a plain token after the prefix", "sha256:s3cret-token"],
  ];
  for (const key of ["detailsToken", "metricsToken"]) {
    for (const [what, value] of bad) {
      const error = configError(`server:\n  port: 8080\n  ${key}: "${value}"\n${ONE_CHECK}`);
      assert.equal(error.problems.length, 1, `${what}: ${error.message}`);
      assert.equal(error.problems[0]?.path, `server.${key}`, what);
      assert.equal(error.problems[0]?.message, HASH_PROBLEM, what);
      assert.match(
        error.message,
        new RegExp(`t\\.yaml:3:\\d+: server\\.${key}: expected "sha256:"`),
      );
      const shown = value!.slice("sha256:".length);
      if (shown.length >= 3) assert.ok(!error.message.includes(shown), `${what}: ${error.message}`);
    }
  }
});

test("a hash with a space in it is one problem: the token's characters, not the hash's form", () => {
  const error = configError(`server:\n  detailsToken: "sha256: ${HEX}"\n${ONE_CHECK}`);
  assert.equal(error.problems.length, 1, error.message);
  assert.match(
    error.problems[0]!.message,
    /^expected a token of visible ASCII characters without spaces/,
  );
});

test("a bcrypt hash is refused, not taken for a plain token", () => {
  const bcrypt = "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";
  for (const prefix of ["$2a$", "$2b$", "$2y$"]) {
    const value = prefix + bcrypt.slice(4);
    const error = configError(`server:\n  metricsToken: '${value}'\n${ONE_CHECK}`);
    assert.equal(error.problems.length, 1, error.message);
    assert.equal(error.problems[0]?.path, "server.metricsToken");
    assert.equal(
      error.problems[0]?.message,
      'expected a token or "sha256:" and 64 hex digits: bcrypt hashes are not accepted',
    );
    assert.ok(!error.message.includes(bcrypt.slice(7)), error.message);
  }
});
