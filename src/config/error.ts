/**
 * The error every config problem becomes: it names the file and, for each
 * problem, the line and the key path, and it lists every problem at once. A
 * problem that carries an excerpt (a YAML syntax error) is followed by its
 * line's text and a caret under the column.
 *
 * @module
 */

import { escapeControl } from "../text.ts";

/** A line of the file as a problem shows it, and where the caret goes. */
export interface Excerpt {
  /** The line's text, secrets masked. */
  readonly text: string;
  /** 1-based column in `text` that the caret points at. */
  readonly column: number;
}

/** One thing wrong with a config file. */
export interface ConfigProblem {
  /** Key path such as `checks[2].port`; absent for file-level problems. */
  readonly path?: string;
  /** 1-based line and column in the file, when known. */
  readonly line?: number;
  readonly column?: number;
  /** What is wrong, in sentence case without a trailing period. */
  readonly message: string;
  /** The line, to show below the problem with a caret under its column. */
  readonly excerpt?: Excerpt;
}

/** Formats a problem as `file:line:col: path: message`. */
export function formatProblem(file: string, problem: ConfigProblem): string {
  let where = file;
  if (problem.line !== undefined) {
    where += `:${problem.line}`;
    if (problem.column !== undefined) where += `:${problem.column}`;
  }
  return problem.path
    ? `${where}: ${problem.path}: ${problem.message}`
    : `${where}: ${problem.message}`;
}

/** The longest excerpt shown: a longer line is cut to a window around the caret. */
const EXCERPT_WIDTH = 100;

/**
 * The lines that show a problem's excerpt, indented by `indent`: the line
 * number and the line's text, then a caret under the column. Control
 * characters are escaped (a tab shows as `\t`) and the caret moves with them.
 * `[]` when the problem has no excerpt.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatExcerpt } from "./error.ts";
 * const problem = { line: 4, column: 4, message: "", excerpt: { text: "   port: 5432", column: 4 } };
 * assert.deepEqual(formatExcerpt(problem, "  "), ["  4 |    port: 5432", "    |    ^"]);
 * ```
 */
export function formatExcerpt(problem: ConfigProblem, indent: string): string[] {
  const { excerpt, line } = problem;
  if (excerpt === undefined) return [];
  let text = escapeControl(excerpt.text);
  let caret = escapeControl(excerpt.text.slice(0, excerpt.column - 1)).length;
  if (text.length > EXCERPT_WIDTH) {
    const start = Math.max(0, Math.min(caret - EXCERPT_WIDTH / 2, text.length - EXCERPT_WIDTH));
    const end = start + EXCERPT_WIDTH;
    const head = start > 0 ? "..." : "";
    text = `${head}${text.slice(start, end)}${end < text.length ? "..." : ""}`;
    caret = caret - start + head.length;
  }
  const number = line === undefined ? "" : String(line);
  return [
    `${indent}${number} | ${text}`.trimEnd(),
    `${indent}${" ".repeat(number.length)} | ${" ".repeat(caret)}^`,
  ];
}

/**
 * A config that cannot be used. `message` is ready to show a person: a head
 * line, then one indented line per problem (with its excerpt, if it has one).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigError } from "./error.ts";
 * import { parseConfig } from "./load.ts";
 * try {
 *   parseConfig("checks:\n  - {name: db, type: tcp, port: abc}\n", "vitals.yaml", {});
 * } catch (error) {
 *   if (!(error instanceof ConfigError)) throw error;
 *   // Invalid config "vitals.yaml" (1 problem):
 *   //   vitals.yaml:2:34: checks[0].port: expected an integer from 1 to 65535, got "abc"
 *   assert(error.problems[0]?.path === "checks[0].port");
 * }
 * ```
 */
export class ConfigError extends Error {
  /** The file the config came from (or a label such as `<inline>`). */
  readonly file: string;
  /** Every problem found, in file order. */
  readonly problems: readonly ConfigProblem[];

  /**
   * @param file the config's path
   * @param problems what is wrong; at least one
   * @param head replaces the default head line, for problems with the file itself
   */
  constructor(
    file: string,
    problems: readonly ConfigProblem[],
    options?: ErrorOptions & { head?: string },
  ) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    const head = options?.head ?? `Invalid config "${file}" (${count}):`;
    const lines = options?.head === undefined
      ? problems.flatMap((problem) => [
        `  ${formatProblem(file, problem)}`,
        ...formatExcerpt(problem, "    "),
      ])
      : [];
    super([head, ...lines].join("\n"), options);
    this.name = "ConfigError";
    this.file = file;
    this.problems = problems;
  }
}
