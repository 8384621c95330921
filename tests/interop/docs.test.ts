// docs/reliability.md's interop matrix is the one tests/interop/matrix.ts
// makes from tests/interop/cases.ts: the document cannot drift from what the
// suite runs. Rewrite it with
// `npx -y deno@2.9.6 run --allow-read --allow-write tests/interop/matrix.ts`.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { ROOT } from "../_helpers/files.ts";
import { CASES } from "./cases.ts";
import { BEGIN, DOC, END, matrixMarkdown, withMatrix } from "./matrix.ts";

test("docs/reliability.md holds the interop matrix of cases.ts, row for row", () => {
  const doc = readFileSync(`${ROOT}${DOC}`, "utf8");
  const matrix = matrixMarkdown();
  assert.equal(
    withMatrix(doc, matrix),
    doc,
    `${DOC}'s matrix differs from cases.ts: run ` +
      "npx -y deno@2.9.6 run --allow-read --allow-write tests/interop/matrix.ts",
  );
  const section = doc.slice(doc.indexOf(BEGIN), doc.indexOf(END));
  for (const kase of CASES) assert.ok(section.includes(`| \`${kase.name}\``), kase.name);
});

test("every interop case has a name of its own, valid as a check name", () => {
  const names = CASES.map((kase) => kase.name);
  assert.deepEqual(names.filter((name, i) => names.indexOf(name) !== i), []);
  for (const name of names) assert.match(name, /^[a-z0-9][a-z0-9-]*$/);
});
