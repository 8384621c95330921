/**
 * The error every config problem becomes: it names the file and, for each
 * problem, the line and the key path, and it lists every problem at once.
 *
 * @module
 */

/** One thing wrong with a config file. */
export interface ConfigProblem {
  /** Key path such as `checks[2].port`; absent for file-level problems. */
  readonly path?: string;
  /** 1-based line and column in the file, when known. */
  readonly line?: number;
  readonly column?: number;
  /** What is wrong, in sentence case without a trailing period. */
  readonly message: string;
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

/**
 * A config that cannot be used. `message` is ready to show a person: a head
 * line, then one indented line per problem.
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
      ? problems.map((problem) => `  ${formatProblem(file, problem)}`)
      : [];
    super([head, ...lines].join("\n"), options);
    this.name = "ConfigError";
    this.file = file;
    this.problems = problems;
  }
}
