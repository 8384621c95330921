/**
 * Reading a file with a cap (src/platform/_node/read_capped.ts): a file up to the
 * cap is read whole as UTF-8, one byte more is a `PlatformError` `EFBIG`, an
 * endless device stops at the cap, and other failures keep their `code`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { rm, writeFile } from "node:fs/promises";
import { test } from "node:test";
import { readCapped } from "../../../src/platform/_node/read_capped.ts";
import { PlatformError } from "../../../src/platform/platform_error.ts";
import { tempDir } from "../../_helpers/files.ts";

test("readCapped reads a file of exactly the cap, as UTF-8", async () => {
  const dir = await tempDir();
  try {
    await writeFile(`${dir}/f`, "héllo"); // 6 bytes
    assert.equal(await readCapped(`${dir}/f`, 6), "héllo");
    await writeFile(`${dir}/empty`, "");
    assert.equal(await readCapped(`${dir}/empty`, 0), "");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("readCapped rejects a file one byte over the cap with EFBIG", async () => {
  const dir = await tempDir();
  try {
    await writeFile(`${dir}/f`, "1234567");
    await assert.rejects(readCapped(`${dir}/f`, 6), (error: unknown) => {
      assert.ok(error instanceof PlatformError, String(error));
      assert.equal(error.code, "EFBIG");
      return true;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("readCapped stops an endless device at the cap", async () => {
  const started = performance.now();
  await assert.rejects(readCapped("/dev/zero", 64 * 1024), (error: unknown) => {
    assert.ok(error instanceof PlatformError && error.code === "EFBIG", String(error));
    return true;
  });
  assert.ok(performance.now() - started < 2000);
});

test("readCapped keeps the code of other failures: a missing file is ENOENT", async () => {
  const dir = await tempDir();
  try {
    await assert.rejects(readCapped(`${dir}/missing`, 10), (error: unknown) => {
      assert.equal((error as { code?: unknown }).code, "ENOENT");
      return true;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
