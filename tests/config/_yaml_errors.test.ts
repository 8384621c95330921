/**
 * YAML syntax errors (src/config/_yaml_errors.ts, with _yaml_lines.ts and the
 * excerpt of src/config/error.ts): each real mistake is one problem, on the
 * line that holds the mistake, in words that say what to fix, and the error's
 * message shows that line with a caret under the column; secrets on the line
 * are masked.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "../../src/config/error.ts";
import { parseConfig } from "../../src/config/load.ts";

const FILE = "vitals.yaml";

/** The ConfigError that parsing `text` throws. */
function rejected(text: string): ConfigError {
  try {
    parseConfig(text, FILE, {});
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error;
  }
  return assert.fail("the text was accepted");
}

/** One mistake: the config, and the whole message of its ConfigError. */
const MISTAKES: readonly { name: string; yaml: string; message: string }[] = [
  {
    name:
      "a key indented more than the key above it is reported on its own line, not the line above",
    yaml: "server:\n  port: 8080\n   maxWait: 1s\nchecks:\n  - {name: a, type: tcp, port: 1}\n",
    message: `Invalid config "vitals.yaml" (1 problem):
  vitals.yaml:3:4: YAML syntax error: bad indentation: this line is indented more than the key above it, which has a value already
    3 |    maxWait: 1s
      |    ^`,
  },
  {
    name: "a key of a check indented more than the one above it is reported on its own line",
    yaml: "checks:\n  - name: db\n    type: tcp\n      port: 5432\n",
    message: `Invalid config "vitals.yaml" (1 problem):
  vitals.yaml:4:7: YAML syntax error: bad indentation: this line is indented more than the key above it, which has a value already
    4 |       port: 5432
      |       ^`,
  },
  {
    name: "a key indented less than the keys of its mapping is reported at its first character",
    yaml: "checks:\n  - name: db\n    type: tcp\n   port: 5432\n",
    message: `Invalid config "vitals.yaml" (1 problem):
  vitals.yaml:4:4: YAML syntax error: bad indentation: this line does not line up with the keys above it
    4 |    port: 5432
      |    ^`,
  },
  {
    name: "a key between a list item's dash and its first key is reported on its own line",
    yaml: "checks:\n  - name: db\n   type: tcp\n",
    message: `Invalid config "vitals.yaml" (1 problem):
  vitals.yaml:3:4: YAML syntax error: bad indentation: this line does not line up with the keys above it
    3 |    type: tcp
      |    ^`,
  },
  {
    name: "a key that falls back to its parent's indentation is reported as not lining up",
    yaml: "checks:\n  - name: db\n    type: tcp\n  port: 5432\n",
    message: `Invalid config "vitals.yaml" (1 problem):
  vitals.yaml:4:3: YAML syntax error: bad indentation: this line does not line up with the keys above it
    4 |   port: 5432
      |   ^`,
  },
  {
    name: "a tab in the indentation is one problem, shown as \\t with the caret under it",
    yaml: "checks:\n  - name: db\n\ttype: tcp\n    port: 5432\n",
    message: `Invalid config "vitals.yaml" (1 problem):
  vitals.yaml:3:1: YAML syntax error: a tab in the indentation: indent with spaces only
    3 | \\ttype: tcp
      | ^`,
  },
  {
    name: "an unclosed double quote is reported where it opens, not at the end of the file",
    yaml: 'checks:\n  - name: "db\n    type: tcp\n    port: 5432\n',
    message: `Invalid config "vitals.yaml" (1 problem):
  vitals.yaml:2:11: YAML syntax error: unclosed double quote: the value that starts here has no closing quote
    2 |   - name: "db
      |           ^`,
  },
  {
    name: "an unclosed single quote is reported where it opens",
    yaml: "checks:\n  - name: 'it''s\n    type: tcp\n    port: 5432\n",
    message: `Invalid config "vitals.yaml" (1 problem):
  vitals.yaml:2:11: YAML syntax error: unclosed single quote: the value that starts here has no closing quote
    2 |   - name: 'it''s
      |           ^`,
  },
  {
    name: "a key without a colon is reported with the line as it should be",
    yaml: "checks:\n  - name: db\n    type tcp\n    port: 5432\n",
    message: `Invalid config "vitals.yaml" (1 problem):
  vitals.yaml:3:5: YAML syntax error: a key without a colon: write "type: tcp"
    3 |     type tcp
      |     ^`,
  },
  {
    name: "a last key without a colon is reported the same way",
    yaml: "checks:\n  - name: db\n    type: tcp\n    port 5432\n",
    message: `Invalid config "vitals.yaml" (1 problem):
  vitals.yaml:4:5: YAML syntax error: a key without a colon: write "port: 5432"
    4 |     port 5432
      |     ^`,
  },
  {
    name: "a section name without a colon is reported on its line",
    yaml: "server\n  port: 8080\nchecks:\n  - {name: a, type: tcp, port: 1}\n",
    message: `Invalid config "vitals.yaml" (1 problem):
  vitals.yaml:1:1: YAML syntax error: a key without a colon: write "server:"
    1 | server
      | ^`,
  },
  {
    name: "a colon without a space after it is reported as such",
    yaml: "checks:\n  - name: db\n    type:tcp\n    port: 5432\n",
    message: `Invalid config "vitals.yaml" (1 problem):
  vitals.yaml:3:5: YAML syntax error: a colon needs a space after it: write "type: tcp"
    3 |     type:tcp
      |     ^`,
  },
  {
    name: "an unclosed { is reported where it opens",
    yaml: "checks:\n  - {name: db, type: tcp, port: 5432\n  - {name: x, type: tcp, port: 1}\n",
    message: `Invalid config "vitals.yaml" (1 problem):
  vitals.yaml:2:5: YAML syntax error: this { has no closing }
    2 |   - {name: db, type: tcp, port: 5432
      |     ^`,
  },
  {
    name: "an unclosed [ is reported where it opens",
    yaml: 'checks:\n  - {name: db, type: command, command: ["true"}\n',
    message: `Invalid config "vitals.yaml" (1 problem):
  vitals.yaml:2:40: YAML syntax error: this [ has no closing ]
    2 |   - {name: db, type: command, command: ["true"}
      |                                        ^`,
  },
  {
    name: "a key given twice in one mapping is named",
    yaml: "checks:\n  - name: db\n    name: db2\n    type: tcp\n    port: 5432\n",
    message: `Invalid config "vitals.yaml" (1 problem):
  vitals.yaml:3:5: YAML syntax error: the key "name" is given twice in one mapping
    3 |     name: db2
      |     ^`,
  },
  {
    name: "an unquoted reference inside a flow mapping is told to be quoted",
    yaml: "checks:\n  - {name: db, type: tcp, port: ${PORT}}\n",
    message: `Invalid config "vitals.yaml" (1 problem):
  vitals.yaml:2:33: YAML syntax error: a reference inside { } or [ ] needs quotes: write "\${PORT}"
    2 |   - {name: db, type: tcp, port: \${PORT}}
      |                                 ^`,
  },
];

for (const { name, yaml, message } of MISTAKES) {
  test(name, () => {
    const error = rejected(yaml);
    assert.equal(error.message, message);
    assert.equal(error.problems.length, 1);
    assert.equal(error.problems[0]?.path, undefined, "a syntax error has no key path");
  });
}

test("mistakes on several lines are each one problem, in file order", () => {
  const error = rejected('checks:\n  - name: db\n    type tcp\n    port: 5432\n  - name: "web\n');
  assert.deepEqual(error.problems.map((problem) => [problem.line, problem.column]), [
    [3, 5],
    [5, 11],
  ]);
});

test("what the parser says again after a mistake, on the lines that mistake reached, is left out", () => {
  // After the tab, the parser reads "tcp\n    port" as a key, then "5432\n  - {name" ...
  const error = rejected(
    "checks:\n  - name: db\n\ttype: tcp\n    port: 5432\n  - {name: x, port: 1\n",
  );
  assert.deepEqual(error.problems.map((problem) => problem.message), [
    "YAML syntax error: a tab in the indentation: indent with spaces only",
  ]);
});

test("a secret on the excerpt's line is masked: a header, an apiKey, a body's text", () => {
  const header = rejected(
    'checks:\n  - name: web\n    type: http\n    url: http://a/\n    headers:\n      Authorization: "Bearer s3cr3t-token\n',
  );
  assert.match(header.message, /\n {4}6 \| {7}Authorization: \*\*\*\n {4} {2}\| {22}\^$/);
  const apiKey = rejected(
    "checks:\n  - {name: llm, type: tabbyapi, url: http://a/, apiKey: 'sk-live-123456}\n",
  );
  assert.match(apiKey.message, /apiKey: \*\*\*\n/);
  const missingColon = rejected(
    "checks:\n  - name: web\n    type: http\n    url: http://a/\n    headers:\n      Authorization Bearer s3cr3t-token\n      X-Other: 1\n",
  );
  assert.match(missingColon.message, /a key without a colon: write "key: value"/);
  for (const error of [header, apiKey, missingColon]) {
    assert.doesNotMatch(error.message, /s3cr3t|sk-live/, error.message);
  }
});

test("credentials in a URL on the excerpt's line are hidden, the caret kept on its character", () => {
  const error = rejected(
    'checks:\n  - name: web\n    type: http\n    url: "http://admin:pw@host/\n',
  );
  assert.ok(error.message.endsWith('\n    4 |     url: "http://***@host/\n      |          ^'));
});

test("a long line is cut to a window around the caret", () => {
  const host = "h".repeat(150);
  const error = rejected(`checks: [{name: a, type: tcp, port: 1, host: ${host}, x: 'y}]\n`);
  const [, text, caret] = /\n {4}1 \| (.*)\n {4} {2}\| (.*)$/.exec(error.message) ?? [];
  assert.ok(text !== undefined && caret !== undefined, error.message);
  assert.ok(text.startsWith("...") && text.length <= 106, text);
  assert.equal(text[caret.indexOf("^")], "'", `${text}\n${caret}`);
});
