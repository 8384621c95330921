/**
 * docs/reliability.md's interop matrix, made from cases.ts: one table row
 * per case (server and listener, check kind, option, expected verdict, what
 * the message holds). tests/interop/docs.test.ts checks that the document
 * holds exactly this table; after changing cases.ts, rewrite it with
 *
 * ```sh
 * npx -y deno@2.9.6 run --allow-read --allow-write tests/interop/matrix.ts
 * ```
 *
 * @module
 */

import { readFileSync, writeFileSync } from "node:fs";
import { type Case, CASES, serverOf } from "./cases.ts";
import { ENDPOINTS } from "./endpoints.ts";

/** The document that holds the matrix, from the repository root. */
export const DOC = "docs/reliability.md";

/** The lines around the matrix in {@link DOC}. */
export const BEGIN =
  "<!-- interop matrix: made by tests/interop/matrix.ts from tests/interop/cases.ts -->";
export const END = "<!-- end of interop matrix -->";

/** Text as a Markdown code span inside a table cell. */
function code(text: string): string {
  return `\`${text.replaceAll("|", "\\|")}\``;
}

/** What a row says the message holds. */
function holds(kase: Case): string {
  const texts = typeof kase.message === "string" ? [kase.message] : kase.message;
  const shown = texts.map(code).join(", ");
  return kase.absent ? `${shown}; never ${kase.absent.map(code).join(", ")}` : shown;
}

/** A Markdown table padded as `deno fmt` pads it. */
function table(head: string[], rows: string[][]): string {
  const widths = head.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(head), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join(
    "\n",
  );
}

/** The matrix as Markdown: a table of every case. */
export function matrixMarkdown(): string {
  const rows = CASES.map((kase) => [
    code(kase.name),
    `${serverOf(kase.endpoint)}: ${ENDPOINTS[kase.endpoint].serves}`,
    kase.kind,
    kase.option.replaceAll("|", "\\|"),
    `**${kase.expect}**`,
    holds(kase),
  ]);
  return table(["case", "server: listener", "check", "option", "verdict", "message holds"], rows);
}

/** {@link DOC} with the matrix between {@link BEGIN} and {@link END} replaced by `matrix`. */
export function withMatrix(doc: string, matrix: string): string {
  const from = doc.indexOf(BEGIN);
  const to = doc.indexOf(END);
  if (from === -1 || to < from) {
    throw new Error(`Cannot find the interop matrix in ${DOC}: expected "${BEGIN}" and "${END}"`);
  }
  return `${doc.slice(0, from + BEGIN.length)}\n\n${matrix}\n\n${doc.slice(to)}`;
}

if (import.meta.main) {
  const path = new URL(`../../${DOC}`, import.meta.url);
  writeFileSync(path, withMatrix(readFileSync(path, "utf8"), matrixMarkdown()));
  console.log(`wrote the interop matrix (${CASES.length} cases) to ${DOC}`);
}
