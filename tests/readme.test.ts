// What ARCHITECTURE.md claims about the tree: the table under its "Files"
// heading lists every file in src/ (and main.ts), names no file that does not
// exist, and every source file opens with a module comment.

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [relative(ROOT, path)] : [];
  });
}

/** The paths in the first column of the table under ARCHITECTURE.md's "Files" heading. */
function layoutPaths(): string[] {
  const text = readFileSync(join(ROOT, "ARCHITECTURE.md"), "utf8");
  const section = text.search(/^## Files$/m);
  assert.ok(section !== -1, 'ARCHITECTURE.md has a "Files" section');
  const start = text.slice(section).search(/^\| path +\| what +\|/m);
  assert.ok(start !== -1, 'the "Files" section has a path/what table');
  const rows = text.slice(section + start).split("\n\n")[0]!.split("\n").slice(2);
  return rows.filter((row) => row.trim() !== "").map((row) =>
    /^\|\s*`([^`]+)`/.exec(row)?.[1] ?? `unreadable row: ${row}`
  );
}

test("ARCHITECTURE.md's file table lists every source file and nothing that does not exist", () => {
  const listed = layoutPaths();
  const files = ["main.ts", ...sourceFiles(join(ROOT, "src"))];
  assert.deepEqual(
    files.filter((file) => !listed.includes(file)),
    [],
    "files missing from the table",
  );
  const absent = listed.filter((path) => !existsSync(join(ROOT, path.replace(/\*.*$/, ""))));
  assert.deepEqual(absent, [], "rows naming nothing that exists");
});

test("every source file opens with a module comment", () => {
  const files = ["main.ts", ...sourceFiles(join(ROOT, "src"))];
  const without = files.filter((file) => {
    const text = readFileSync(join(ROOT, file), "utf8");
    return !text.startsWith("/**") || !text.slice(0, text.indexOf("*/")).includes("@module");
  });
  assert.deepEqual(without, []);
});
