// The check runner (src/checks/runner.ts): an inspection that throws becomes
// a DOWN result, and an inspection that ignores its signal is DOWN at the
// timeout.

import assert from "node:assert/strict";
import { test } from "node:test";
import { runner } from "../../src/checks/runner.ts";
import { CHECK_META } from "../_helpers/checks.ts";

test("an inspection that throws becomes a DOWN result, never a rejection", async () => {
  const check = runner({
    ...CHECK_META,
    name: "x",
    type: "custom",
    critical: false,
    timeout: 1000,
  }, () => {
    throw new Error("boom");
  });
  const result = await check.run();
  assert.equal(result.status, "DOWN");
  assert.equal(result.message, "check failed: boom");
  assert.equal(result.critical, false);
});

test("an inspection that ignores its signal still yields DOWN at the timeout", async () => {
  let release = () => {};
  const check = runner(
    { ...CHECK_META, name: "stuck", type: "custom", critical: true, timeout: 100 },
    () => new Promise((resolve) => (release = () => resolve({ status: "UP", message: "late" }))),
  );
  const result = await check.run();
  release();
  assert.equal(result.status, "DOWN");
  assert.equal(result.message, "timed out after 100 ms");
});
