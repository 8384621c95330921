// Platform.writeFileAtomic (src/platform/_node/write_atomic.ts) on the
// runtime under test, on real files: it creates and replaces a file with the
// text given, leaves no temporary file behind, a reader never sees a part of
// a file while writes go on, and a directory that does not exist rejects with
// a PlatformError (ENOENT) and leaves nothing.

import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { test } from "node:test";
import { PlatformError } from "../../../src/platform/platform_error.ts";
import { tempDir } from "../../_helpers/files.ts";
import { platform } from "../../_helpers/platform.ts";

test("creates the file, then replaces it, leaving no temporary file behind", async () => {
  const dir = await tempDir();
  const path = `${dir}/state.json`;
  await platform.writeFileAtomic(path, '{"on":false}\n');
  assert.equal(readFileSync(path, "utf8"), '{"on":false}\n');
  writeFileSync(`${dir}/other`, "kept");
  await platform.writeFileAtomic(path, "é and more\n");
  assert.equal(readFileSync(path, "utf8"), "é and more\n");
  assert.deepEqual(readdirSync(dir).sort(), ["other", "state.json"]);
});

test("a reader sees the old text or the new, never a part, while writes go on", async () => {
  const path = `${await tempDir()}/big.txt`;
  const texts = ["a", "b", "c", "d"].map((letter) => letter.repeat(256 * 1024));
  await platform.writeFileAtomic(path, texts[0]!);
  let reads = 0;
  let writing = true;
  const reader = (async () => {
    while (writing) {
      const seen = readFileSync(path, "utf8");
      assert.ok(texts.includes(seen), `read ${seen.length} bytes starting "${seen.slice(0, 1)}"`);
      reads++;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  })();
  for (let round = 0; round < 5; round++) {
    for (const text of texts) await platform.writeFileAtomic(path, text);
  }
  writing = false;
  await reader;
  assert.ok(reads > 0);
});

test("a directory that does not exist rejects with ENOENT and leaves nothing", async () => {
  const dir = await tempDir();
  await assert.rejects(
    platform.writeFileAtomic(`${dir}/missing/state.json`, "x"),
    (error) => error instanceof PlatformError && error.code === "ENOENT",
  );
  assert.deepEqual(readdirSync(dir), []);
});
