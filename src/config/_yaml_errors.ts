/**
 * YAML syntax errors as config problems a person can act on: one problem per
 * mistake (the parser often reports one mistake two or three times), on the
 * line where the mistake is (an over-indented key is reported by the parser at
 * the value of the line above it; an unclosed quote at the end of the file),
 * in words that say what to fix, and with the line's text for an excerpt with
 * a caret under the column (`_yaml_lines.ts`, which masks secrets in it).
 *
 * @module
 */

import {
  type Document,
  isCollection,
  isScalar,
  type LineCounter,
  visit,
  type YAMLError,
} from "yaml";
import type { ConfigProblem } from "./error.ts";
import {
  excerptOf,
  indentOf,
  isContent,
  KEY_LINE,
  keyOf,
  linesOf,
  lineStart,
  secretFrom,
} from "./_yaml_lines.ts";

/** Where a mistake is and what to say about it. */
interface Found {
  readonly offset: number;
  readonly message: string;
}

/**
 * The start of the quoted scalar (`quote`) or flow collection (`bracket`)
 * that the parser found unclosed at `end`.
 */
function openerEndingAt(doc: Document, end: number, kind: "quote" | "bracket"): number | undefined {
  let start: number | undefined;
  visit(doc, (_key, node) => {
    const wanted = kind === "quote" ? isScalar(node) : isCollection(node) && node.flow === true;
    const range = wanted ? (node as { range?: [number, number, number] }).range : undefined;
    if (range && range[1] === end && range[0] < end) start = range[0];
  });
  return start;
}

/**
 * What to say of a line the parser read as a key without a colon (`type tcp`,
 * `type:tcp`): the line as it should be, unless it holds a `secret`.
 */
function withoutColon(rest: string, secret: boolean): string {
  const [, key, colon, value] = /^([^\s:#]+)(:?)\s*([^#]*?)\s*(?:#.*)?$/.exec(rest) ?? [];
  const what = colon ? "a colon needs a space after it" : "a key without a colon";
  if (key === undefined || secret || key.length + (value ?? "").length > 40) {
    return `${what}: write "key: value"`;
  }
  return `${what}: write ${JSON.stringify(value ? `${key}: ${value}` : `${key}:`)}`;
}

/** What the mistake behind `error` is, and where: `undefined` to say what the parser says. */
function diagnose(
  error: YAMLError,
  text: string,
  lines: readonly string[],
  doc: Document,
): Found | undefined {
  const [from] = error.pos;
  const first = error.message.split("\n")[0] ?? "";
  const lineIndex = (error.linePos?.[0].line ?? 1) - 1;
  const line = lines[lineIndex] ?? "";
  const lineOffset = lineStart(lines, lineIndex);
  const contentOffset = lineOffset + indentOf(line);
  const secret = secretFrom(lines, lineIndex) !== undefined;
  switch (error.code) {
    case "TAB_AS_INDENT":
      return { offset: from, message: "a tab in the indentation: indent with spaces only" };
    case "BLOCK_AS_IMPLICIT_KEY":
    case "MULTILINE_IMPLICIT_KEY": {
      // Past the key of its line: the parser took that line's value and the
      // next line together as a key, because the next line is indented past
      // where the key starts (more than the key, or between its `- ` and it).
      const key = KEY_LINE.exec(line);
      if (key && from >= lineOffset + key[0].length) {
        const next = lines.findIndex((text, i) => i > lineIndex && isContent(text));
        const indent = next >= 0 ? indentOf(lines[next]!) : 0;
        if (next >= 0 && indent > indentOf(line)) {
          return {
            offset: lineStart(lines, next) + indent,
            message: indent > key[1]!.length
              ? "bad indentation: this line is indented more than the key above it, " +
                "which has a value already"
              : NOT_ALIGNED,
          };
        }
      }
      return {
        offset: from,
        message: withoutColon(text.slice(from, lineOffset + line.length), secret),
      };
    }
    case "MISSING_CHAR": {
      const quote = /^Missing closing (["'])quote/.exec(first)?.[1];
      if (quote !== undefined) {
        return {
          offset: openerEndingAt(doc, from, "quote") ?? from,
          message: `unclosed ${
            quote === '"' ? "double" : "single"
          } quote: the value that starts here has no closing quote`,
        };
      }
      if (first.startsWith("Implicit map keys need to be followed by map values")) {
        return {
          offset: from,
          message: withoutColon(text.slice(from, lineOffset + line.length), secret),
        };
      }
      if (first.startsWith("Sequence item without - indicator")) {
        return { offset: contentOffset, message: NOT_ALIGNED };
      }
      return undefined;
    }
    case "BAD_INDENT": {
      const bracket = /^Flow (?:map|sequence) .* end with an? ([}\]])/.exec(first)?.[1];
      if (bracket !== undefined) {
        const start = openerEndingAt(doc, from, "bracket");
        const open = start === undefined ? undefined : text[start];
        if (start !== undefined && (open === "{" || open === "[")) {
          return {
            offset: start,
            message: `this ${open} has no closing ${open === "{" ? "}" : "]"}`,
          };
        }
        return undefined;
      }
      if (first.startsWith("All mapping items must start at the same column")) {
        return { offset: contentOffset, message: NOT_ALIGNED };
      }
      return undefined;
    }
    case "DUPLICATE_KEY": {
      const key = keyOf(text.slice(lineOffset, lineOffset + line.length));
      return {
        offset: from,
        message: key === undefined
          ? "a key given twice in one mapping"
          : `the key ${JSON.stringify(key)} is given twice in one mapping`,
      };
    }
    case "UNEXPECTED_TOKEN": {
      // `{port: ${PORT}}`: in a flow mapping or list, `{` starts a mapping.
      const reference = text[from] === "{" && text[from - 1] === "$"
        ? /^\$\{[^}\s]*\}/.exec(text.slice(from - 1))?.[0]
        : undefined;
      if (reference === undefined) return undefined;
      return {
        offset: from - 1,
        message: `a reference inside { } or [ ] needs quotes: write "${reference}"`,
      };
    }
    default:
      return undefined;
  }
}

const NOT_ALIGNED = "bad indentation: this line does not line up with the keys above it";

/**
 * The parser's own words, for a mistake {@link diagnose} does not name:
 * without the position (the problem has it), and on a line with a secret
 * without the token it quotes.
 */
function parserSays(error: YAMLError, secret: boolean): string {
  const said = (error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
  return secret ? said.replace(/:? ".*"$/, "") : said;
}

/**
 * The config problems for a document's YAML syntax errors: one per mistake,
 * each with its line's text for an excerpt.
 *
 * @example
 * ```ts ignore
 * const doc = parseDocument(text, { lineCounter: lines });
 * if (doc.errors.length > 0) throw new ConfigError(file, syntaxProblems(doc, text, lines));
 * ```
 */
export function syntaxProblems(
  doc: Document,
  text: string,
  counter: LineCounter,
): ConfigProblem[] {
  const lines = linesOf(text);
  const problems: ConfigProblem[] = [];
  const seenLines = new Set<number>();
  for (const error of doc.errors) {
    // An error on a line that an earlier error reached is that mistake seen
    // again: the parser reads on from a mistake as best it can, and errs again.
    const [start, end] = error.linePos ?? [];
    const again = start !== undefined && seenLines.has(start.line);
    if (start !== undefined) {
      for (let line = start.line; line <= (end ?? start).line; line++) seenLines.add(line);
    }
    if (again) continue;
    const found = diagnose(error, text, lines, doc);
    const offset = found?.offset ?? error.pos[0];
    const { line, col } = counter.linePos(Math.min(offset, text.length));
    if (problems.some((problem) => problem.line === line)) continue;
    const secret = secretFrom(lines, line - 1);
    problems.push({
      line,
      column: col,
      message: `YAML syntax error: ${found?.message ?? parserSays(error, secret !== undefined)}`,
      excerpt: excerptOf(lines[line - 1] ?? "", secret, col),
    });
  }
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}
