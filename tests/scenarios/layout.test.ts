// The test tree mirrors src/: every source file src/<dir>/<name>.ts has a test
// file tests/<dir>/<name>.test.ts, or an entry in tests/<dir>/_covered.ts
// naming the test files that exercise it, all of which exist. Every folder of
// src/ has its _covered.ts (empty when every file has its own test), whose
// entries name only source files of that folder that have no test of their
// own. A test file in a mirrored folder is named after a source file there
// (`<name>.test.ts`, or `<name>_<aspect>.test.ts` for one of several), and no
// folder under tests/ stands for a folder src/ lacks, besides the named
// suites and the shared parts: _helpers, scenarios, e2e, interop, slow and
// fixtures. main.ts is not under src/: tests/e2e/ runs it.

import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { ROOT } from "../_helpers/files.ts";

/** Folders of tests/ that do not mirror src/. */
const NOT_MIRRORED = ["_helpers", "scenarios", "e2e", "interop", "slow", "fixtures"];

/** Every folder under `root` (itself included, as ""), relative to it. */
function folders(root: string, skip: string[] = []): string[] {
  const found = [""];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = dir === "" ? entry.name : `${dir}/${entry.name}`;
      if (!entry.isDirectory() || (dir === "" && skip.includes(entry.name))) continue;
      found.push(path);
      walk(path);
    }
  };
  walk("");
  return found.sort();
}

/** The names of the files directly in `dir` that end with `suffix`. */
function filesIn(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(suffix))
    .map((entry) => entry.name)
    .sort();
}

const SRC = join(ROOT, "src");
const TESTS = join(ROOT, "tests");
/** The folders of src/ that hold source files. */
const SOURCE_FOLDERS = folders(SRC).filter((dir) => filesIn(join(SRC, dir), ".ts").length > 0);

/** tests/<dir>/_covered.ts's map, or undefined when the file is missing. */
async function coveredIn(dir: string): Promise<Record<string, string> | undefined> {
  const file = join(TESTS, dir, "_covered.ts");
  if (!existsSync(file)) return undefined;
  const module = await import(pathToFileURL(file).href) as { COVERED: Record<string, string> };
  return module.COVERED;
}

test("every folder of src/ has tests/<folder>/_covered.ts", () => {
  const missing = SOURCE_FOLDERS.filter((dir) => !existsSync(join(TESTS, dir, "_covered.ts")));
  assert.deepEqual(missing.map((dir) => `tests/${dir}${dir ? "/" : ""}_covered.ts`), []);
});

test("every source file has its own test or an entry in its folder's _covered.ts", async () => {
  const uncovered: string[] = [];
  for (const dir of SOURCE_FOLDERS) {
    const covered = await coveredIn(dir) ?? {};
    for (const name of filesIn(join(SRC, dir), ".ts")) {
      const own = join(TESTS, dir, name.replace(/\.ts$/, ".test.ts"));
      if (!existsSync(own) && covered[name] === undefined) uncovered.push(join("src", dir, name));
    }
  }
  assert.deepEqual(uncovered, [], "source files with neither a test of their own nor an entry");
});

test("every _covered.ts entry names a source file without a test of its own, and test files that exist", async () => {
  const problems: string[] = [];
  for (const dir of SOURCE_FOLDERS) {
    const covered = await coveredIn(dir) ?? {};
    for (const [name, tests] of Object.entries(covered)) {
      const where = `tests/${dir}${dir ? "/" : ""}_covered.ts: ${name}`;
      if (!existsSync(join(SRC, dir, name))) problems.push(`${where}: no such source file`);
      if (existsSync(join(TESTS, dir, name.replace(/\.ts$/, ".test.ts")))) {
        problems.push(`${where}: has a test of its own, so needs no entry`);
      }
      const files = tests.split(",").map((file) => file.trim()).filter((file) => file !== "");
      if (files.length === 0) problems.push(`${where}: names no test file`);
      for (const file of files) {
        if (!/^tests\/.+\.test\.ts$/.test(file)) {
          problems.push(`${where}: "${file}" is no test file`);
        } else if (!existsSync(join(ROOT, file))) {
          problems.push(`${where}: "${file}" does not exist`);
        }
      }
    }
  }
  assert.deepEqual(problems, []);
});

test("no folder under tests/ stands for a folder src/ lacks", () => {
  const extra = folders(TESTS, NOT_MIRRORED).filter((dir) => !existsSync(join(SRC, dir)));
  assert.deepEqual(extra.map((dir) => `tests/${dir}`), []);
});

test("each test file in a mirrored folder is named after a source file of that folder", () => {
  const strays: string[] = [];
  for (const dir of folders(TESTS, NOT_MIRRORED).filter((dir) => dir !== "")) {
    const sources = filesIn(join(SRC, dir), ".ts").map((name) => name.replace(/\.ts$/, ""));
    for (const name of filesIn(join(TESTS, dir), ".test.ts")) {
      const stem = name.replace(/\.test\.ts$/, "");
      const named = sources.some((source) => stem === source || stem.startsWith(`${source}_`));
      if (!named) strays.push(relative(ROOT, join(TESTS, dir, name)));
    }
  }
  assert.deepEqual(strays, []);
});
