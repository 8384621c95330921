/**
 * Lines of YAML text read without a parser, for problems in a file that does
 * not parse: indentation, the key a line starts with, which part of a line
 * holds a secret (by the keys around it, as secrets.ts names them), and the
 * line as an excerpt shows it, that part masked.
 *
 * @module
 */

import { hideUrlCredentials, MASK } from "../mask.ts";
import type { Excerpt } from "./error.ts";

/** Keys whose values are secret, and those whose every value is (see secrets.ts). */
const SECRET_VALUE_KEYS = new Set([
  "apiKey",
  "body",
  "detailsToken",
  "metricsToken",
  "controlToken",
]);
const SECRET_MAP_KEYS = new Set(["headers", "env", "metadata"]);

/** A line's indentation, an optional `- `, a key (plain or quoted), its colon. */
export const KEY_LINE = /^(\s*(?:-\s+)*)("[^"]*"|'[^']*'|[^\s#'"{[][^:#]*?)\s*:(?:\s|$)/;

/** The text of each line, without its line break. */
export function linesOf(text: string): string[] {
  return text.split("\n").map((line) => line.replace(/\r$/, ""));
}

/** How many spaces a line starts with. */
export const indentOf = (line: string) => /^ */.exec(line)![0].length;
/** Whether a line holds more than spaces or a comment. */
export const isContent = (line: string) => line.trim() !== "" && !line.trim().startsWith("#");
/** The key a line starts with (`name` of `  - name: db`), unquoted, if it starts with one. */
export const keyOf = (line: string) => KEY_LINE.exec(line)?.[2]?.replace(/^["']|["']$/g, "");

/** The offset of the start of 0-based line `index`. */
export function lineStart(lines: readonly string[], index: number): number {
  let offset = 0;
  for (let i = 0; i < index; i++) offset += lines[i]!.length + 1;
  return offset;
}

/** A secret key and its colon anywhere on a line, flow mappings included. */
const SECRET_KEY = new RegExp(
  String.raw`(?:^|[\s{,])(["']?)(?:${
    [...SECRET_VALUE_KEYS, ...SECRET_MAP_KEYS].join("|")
  })\1\s*:(?:\s|$)`,
);

/**
 * Where the secret part of 0-based line `index` starts: after a secret key
 * (a `headers`, `env` or `metadata` mapping, an `apiKey`, a `body`, a
 * token), or, on a line nested below one, after its own key (a header's
 * value) or from its first character (a block scalar's text). `undefined`
 * when the line holds no secret.
 */
export function secretFrom(lines: readonly string[], index: number): number | undefined {
  const line = lines[index] ?? "";
  const own = SECRET_KEY.exec(line);
  if (own) return own.index + own[0].length;
  let indent = indentOf(line);
  for (let i = index - 1; i >= 0 && indent > 0; i--) {
    const above = lines[i]!;
    if (!isContent(above) || indentOf(above) >= indent) continue;
    indent = indentOf(above);
    const key = keyOf(above);
    if (key !== undefined && SECRET_MAP_KEYS.has(key)) {
      return KEY_LINE.exec(line)?.[0].length ?? indentOf(line);
    }
    if (key !== undefined && SECRET_VALUE_KEYS.has(key)) return indentOf(line);
  }
  return undefined;
}

/**
 * The line's text as an excerpt shows it: from `secret` on masked,
 * credentials in URLs hidden. `column` (1-based) moves with the text; it
 * stays on the mask when it was inside the secret.
 */
export function excerptOf(line: string, secret: number | undefined, column: number): Excerpt {
  if (secret === undefined || line.slice(secret).trim() === "") {
    const before = hideUrlCredentials(line.slice(0, column - 1));
    return { text: hideUrlCredentials(line), column: before.length + 1 };
  }
  const kept = hideUrlCredentials(line.slice(0, secret));
  const before = hideUrlCredentials(line.slice(0, Math.min(column - 1, secret)));
  return { text: `${kept}${kept.endsWith(" ") ? "" : " "}${MASK}`, column: before.length + 1 };
}
