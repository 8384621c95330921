// The error-message rules of CONTRIBUTING.md, enforced on every message that
// src/ throws: each `new SomethingError("...")` (and ConfigError's `head:`)
// written as a literal is sentence case, has no trailing period, says what
// failed and why (`what: why`), and quotes the values it interpolates before
// the colon.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { ROOT } from "../_helpers/files.ts";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** A thrown message as written in the source, with where it stands. */
interface Message {
  readonly where: string;
  /** The literal's text, with each `${...}` kept as written. */
  readonly text: string;
}

/** Reads a string or template literal starting at `start` (its opening quote); `undefined` if none. */
function literalAt(source: string, start: number): string | undefined {
  const quote = source[start];
  if (quote !== '"' && quote !== "'" && quote !== "`") return undefined;
  let depth = 0;
  for (let i = start + 1; i < source.length; i++) {
    const char = source[i];
    if (char === "\\") {
      i++;
      continue;
    }
    if (quote === "`" && char === "$" && source[i + 1] === "{") depth++;
    else if (depth > 0 && char === "}") depth--;
    else if (depth === 0 && char === quote) return source.slice(start + 1, i);
  }
  return undefined;
}

/** Every literal message thrown in `src/` (JSDoc examples excluded). */
function thrownMessages(): Message[] {
  const messages: Message[] = [];
  for (const file of sourceFiles(join(ROOT, "src"))) {
    const source = readFileSync(file, "utf8");
    const pattern = /new ([A-Z]\w*Error)\(\s*|head:\s*/g;
    for (const match of source.matchAll(pattern)) {
      // A PlatformError takes an errno-style code; its reasons are fragments for other messages.
      if (match[1] === "PlatformError") continue;
      const lineStart = source.lastIndexOf("\n", match.index) + 1;
      if (/^\s*\*/.test(source.slice(lineStart, match.index))) continue; // a doc comment
      const text = literalAt(source, match.index + match[0].length);
      if (text === undefined) continue; // not a literal: a code, a variable, a file name
      const line = source.slice(0, match.index).split("\n").length;
      messages.push({ where: `${relative(ROOT, file)}:${line}`, text });
    }
  }
  return messages;
}

/**
 * Interpolations that name the thing that failed (a flag or key, such as
 * `--port` or `VITALS_PORT`), which stay unquoted like any other name.
 */
const NAMES = new Set(["${source}", "${flag}", "${key}"]);

/** The broken rules of one message, as short phrases; empty when it follows them all. */
export function brokenRules(text: string): string[] {
  const broken: string[] = [];
  if (!/^[A-Z]/.test(text)) broken.push("starts without a capital letter");
  if (/\.\s*$/.test(text)) broken.push("ends with a period");
  const colon = text.indexOf(": ");
  if (colon === -1) broken.push('does not say why after ": "');
  // Values named in the "what" part are quoted: `"${value}"`.
  const what = colon === -1 ? text : text.slice(0, colon);
  for (const match of what.matchAll(/\$\{[^}]*\}/g)) {
    const before = what[match.index - 1];
    const after = what[match.index + match[0].length];
    if (NAMES.has(match[0])) continue;
    if (before !== '"' || after !== '"') broken.push(`leaves ${match[0]} unquoted`);
  }
  return broken;
}

test("the message rules catch what they claim to catch", () => {
  assert.deepEqual(brokenRules('Cannot read config "${file}": ${reason}'), []);
  assert.deepEqual(brokenRules("cannot read the file: gone"), ["starts without a capital letter"]);
  assert.deepEqual(brokenRules("Cannot read the file: gone."), ["ends with a period"]);
  assert.deepEqual(brokenRules("Cannot read the file"), ['does not say why after ": "']);
  assert.deepEqual(brokenRules("Invalid size ${size}: expected 1 or more"), [
    "leaves ${size} unquoted",
  ]);
});

test("every message src/ throws follows the rules in CONTRIBUTING.md", () => {
  const messages = thrownMessages();
  assert.ok(
    messages.length >= 5,
    `found only ${messages.length} thrown messages: is the scan broken?`,
  );
  const offenders = messages
    .map((message) => ({ ...message, broken: brokenRules(message.text) }))
    .filter((message) => message.broken.length > 0)
    .map(({ where, text, broken }) => `${where}: ${JSON.stringify(text)} ${broken.join(", ")}`);
  assert.deepEqual(offenders, []);
});
