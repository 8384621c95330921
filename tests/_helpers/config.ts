/**
 * Config for tests: a minimal valid config, what every config error must be
 * (`assertClearConfigError`), and loading a file that must be rejected.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ConfigError } from "../../src/config/error.ts";
import { loadConfig } from "../../src/config/load.ts";
import { platform } from "./platform.ts";

/** A minimal valid config: one tcp check. */
export const ONE_TCP_CHECK = `checks:
  - name: db
    type: tcp
    port: 5432
`;

/**
 * Asserts that `error` is a ConfigError a person can read: it names `file` on
 * its first line and on every problem line (an excerpt of the file, with a
 * caret, may follow one), lists at least one problem, each saying what is
 * wrong, and shows no stack trace.
 */
export function assertClearConfigError(error: unknown, file: string): void {
  if (!(error instanceof ConfigError)) {
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    assert.fail(`expected a ConfigError, got ${detail}`);
  }
  assert.equal(error.file, file);
  assert.ok(error.problems.length > 0, "a ConfigError lists at least one problem");
  assert.ok(error.message.length > 0, "the message is not empty");
  const [head, ...rest] = error.message.split("\n");
  assert.ok(
    head?.startsWith(`Invalid config "${file}"`) ||
      head?.startsWith(`Cannot read config "${file}"`),
    `the first line names the file: ${JSON.stringify(head)}`,
  );
  assert.ok(!/^\s+at /m.test(error.message), `no stack trace in:\n${error.message}`);
  // A problem line names the file; an excerpt (the line's text, then a caret) may follow it.
  const EXCERPT = /^ {4}(?:\d+ \|(?: .*)?| +\| +\^)$/;
  rest.forEach((line, index) => {
    const excerpt = EXCERPT.test(line) && index > 0;
    assert.ok(
      line.startsWith(`  ${file}`) || excerpt,
      `every problem line names the file: ${JSON.stringify(line)}`,
    );
  });
  for (const problem of error.problems) {
    assert.ok(problem.message.trim().length > 0, "every problem says what is wrong");
  }
}

/** Loads the config file `file` as `vitals serve` does, expecting a clear ConfigError; returns it. */
export async function rejectedFile(file: string): Promise<ConfigError> {
  try {
    await loadConfig(file, platform);
  } catch (error) {
    assertClearConfigError(error, file);
    return error as ConfigError;
  }
  assert.fail(`the config "${file}" was accepted`);
}
