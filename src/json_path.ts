/**
 * JSON paths as an http check's `json` conditions write them: `$` (the whole
 * body), then `.key`, `["any key"]` and `[index]` steps (a negative index
 * counts from the end). No wildcards, filters or slices: a path names one
 * value. Parsed once when the config is loaded ({@link parseJsonPath}), then
 * looked up in each response ({@link lookUp}).
 *
 * @module
 */

/** One step of a path: a key of an object, or an index into a list. */
export type JsonStep = { readonly key: string } | { readonly index: number };

/** A parsed path, or why the text is not one (a fragment that a config problem goes on from). */
export type ParsedPath =
  | { readonly ok: true; readonly steps: readonly JsonStep[] }
  | { readonly ok: false; readonly problem: string };

/** A key written after a dot: letters, digits, `_` and `-`, not starting with a digit or `-`. */
const NAME = /[A-Za-z_][A-Za-z0-9_-]*/y;
const INDEX = /-?(?:0|[1-9][0-9]*)(?=\])/y;
/** A JSON string: quotes, with JSON's escapes inside. */
// deno-lint-ignore no-control-regex -- a JSON string holds no raw control characters
const QUOTED = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9A-Fa-f]{4}))*"(?=\])/y;

/**
 * The whole syntax as one pattern, for the JSON Schema (editors flag a bad
 * path as they type); {@link parseJsonPath} reads the same paths and says
 * what is wrong with others.
 */
export const JSON_PATH_PATTERN = String
  .raw`^\$(?:\.[A-Za-z_][A-Za-z0-9_-]*|\[(?:-?(?:0|[1-9][0-9]*)|"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9A-Fa-f]{4}))*")\])*$`;

/**
 * Parses a path such as `$.checks[0]["last run"]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseJsonPath } from "./json_path.ts";
 * assert.deepEqual(parseJsonPath('$.checks[-1]["last run"]'), {
 *   ok: true,
 *   steps: [{ key: "checks" }, { index: -1 }, { key: "last run" }],
 * });
 * assert.equal(parseJsonPath("status").ok, false);
 * ```
 */
export function parseJsonPath(text: string): ParsedPath {
  if (!text.startsWith("$")) return { ok: false, problem: 'starting with "$" (the whole body)' };
  const steps: JsonStep[] = [];
  let at = 1;
  const read = (pattern: RegExp): string | undefined => {
    pattern.lastIndex = at;
    const found = pattern.exec(text)?.[0];
    if (found !== undefined) at += found.length;
    return found;
  };
  while (at < text.length) {
    const where = `at character ${at + 1}`;
    if (text[at] === ".") {
      at++;
      const name = read(NAME);
      if (name === undefined) {
        return {
          ok: false,
          problem: `with a key of letters, digits, "_" or "-" after "." ${where} ` +
            '(write any other key as ["key"])',
        };
      }
      steps.push({ key: name });
    } else if (text[at] === "[") {
      at++;
      const index = read(INDEX);
      const quoted = index === undefined ? read(QUOTED) : undefined;
      if (index === undefined && quoted === undefined) {
        return {
          ok: false,
          problem: `with an index such as [0] or a key in double quotes such as ["a key"] ${where}`,
        };
      }
      at++; // the "]" the patterns looked ahead for
      steps.push(index !== undefined ? { index: Number(index) } : { key: JSON.parse(quoted!) });
    } else {
      return { ok: false, problem: `with ".key", ["key"] or [index] ${where}` };
    }
  }
  return { ok: true, steps };
}

/**
 * Writes steps as a path: `$.checks[0]["last run"]`. Keys that a dot cannot
 * take are quoted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatJsonPath } from "./json_path.ts";
 * assert.equal(formatJsonPath([{ key: "a" }, { index: 2 }, { key: "b c" }]), '$.a[2]["b c"]');
 * ```
 */
export function formatJsonPath(steps: readonly JsonStep[]): string {
  let out = "$";
  for (const step of steps) {
    if ("index" in step) out += `[${step.index}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(step.key)) out += `.${step.key}`;
    else out += `[${JSON.stringify(step.key)}]`;
  }
  return out;
}

/** What a JSON value is, in words: `a string`, `a list`, `null`... */
export function jsonKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  if (typeof value === "boolean") return "a boolean";
  return `a ${typeof value}`;
}

/** What {@link lookUp} found: the value, or why there is none. */
export type LookedUp =
  | { readonly found: true; readonly value: unknown }
  | { readonly found: false; readonly why: string };

/**
 * The value at `steps` in parsed JSON, or why there is none: the first step
 * that leads nowhere (`$.checks has 2 items`, `no key "x" in $.a`). Only own
 * keys count, so `$.constructor` is not found in `{}`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lookUp } from "./json_path.ts";
 * const body = { checks: [{ healthy: true }] };
 * assert.deepEqual(lookUp(body, [{ key: "checks" }, { index: 0 }, { key: "healthy" }]), {
 *   found: true,
 *   value: true,
 * });
 * assert.deepEqual(lookUp(body, [{ key: "checks" }, { index: 3 }]), {
 *   found: false,
 *   why: "$.checks has 1 item",
 * });
 * ```
 */
export function lookUp(data: unknown, steps: readonly JsonStep[]): LookedUp {
  let value = data;
  for (const [i, step] of steps.entries()) {
    const here = formatJsonPath(steps.slice(0, i));
    if ("index" in step) {
      if (!Array.isArray(value)) return { found: false, why: `${here} is ${jsonKind(value)}` };
      const index = step.index < 0 ? value.length + step.index : step.index;
      if (index < 0 || index >= value.length) {
        const items = `${value.length} item${value.length === 1 ? "" : "s"}`;
        return { found: false, why: `${here} has ${items}` };
      }
      value = value[index];
    } else {
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        return { found: false, why: `${here} is ${jsonKind(value)}` };
      }
      if (!Object.hasOwn(value, step.key)) {
        return { found: false, why: `no key ${JSON.stringify(step.key)} in ${here}` };
      }
      value = (value as Record<string, unknown>)[step.key];
    }
  }
  return { found: true, value };
}
