/**
 * The config schema of what an http check expects of a response: status codes
 * and ranges (`expectStatus`), a body pattern (`bodyMatches`) and JSON
 * conditions (`json`).
 *
 * @module
 */

import { z } from "zod";
import { JSON_PATH_PATTERN, parseJsonPath } from "../json_path.ts";
import { ONE_OR_LIST } from "./_json_schema.ts";
import { bool, nonEmpty, wholeNumber } from "./_schema_values.ts";

/** `"200-299"` (an inclusive range) or `"2xx"` (a class of codes). */
const STATUS_TEXT = /^(?:([1-5][0-9]{2})-([1-5][0-9]{2})|([1-5])[xX]{2})$/;
const STATUS_HINT =
  'expected a status code from 100 to 599, a range such as "200-299" or a class such as "2xx"';

/** An `expectStatus` item: a code, or a range written `"200-299"` or `"2xx"`. */
const statusItem = z.preprocess(
  wholeNumber,
  z.union([
    z.int({ error: STATUS_HINT }).min(100, { error: STATUS_HINT }).max(599, {
      error: STATUS_HINT,
    }),
    z.string({ error: STATUS_HINT }).regex(STATUS_TEXT, { error: STATUS_HINT }),
  ], { error: STATUS_HINT }),
).transform((item, context): number | { from: number; to: number } => {
  if (typeof item === "number") return item;
  const [, from, to, group] = STATUS_TEXT.exec(item)!;
  if (group !== undefined) return { from: Number(group) * 100, to: Number(group) * 100 + 99 };
  if (Number(from) <= Number(to)) return { from: Number(from), to: Number(to) };
  context.issues.push({
    code: "custom",
    input: item,
    message: `expected a range from the lower code to the higher, such as "200-299", got ${
      JSON.stringify(item)
    }`,
  });
  return z.NEVER;
});

/** An http check's `expectStatus`: one status item or a list of them. */
export const statusList = z.preprocess(
  (value) => (typeof value === "number" || typeof value === "string") ? [value] : value,
  z.array(statusItem, {
    error: 'expected a list of HTTP status codes and ranges, such as [200, "300-399"]',
  }).min(1, { error: "expected at least one HTTP status code" }),
).meta({ [ONE_OR_LIST]: true });

/** Text quoted in a config problem: JSON, cut at 60 characters. */
const quoted = (value: string) =>
  JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);

const REGEX_HINT = "expected a regular expression in JavaScript syntax";

/**
 * Why `source` is no regular expression (JavaScript syntax, no flags), or
 * `undefined`. Also refuses `\Z`, which JavaScript reads as a plain "Z" (and
 * the JSON Schema's `regex` format refuses too).
 */
function regexProblem(source: string): string | undefined {
  try {
    new RegExp(source);
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error))
      .replace(/^Invalid regular expression: (?:\/.*\/[a-z]*: )?/s, "");
    return reason.charAt(0).toLowerCase() + reason.slice(1);
  }
  if (/(?:^|[^\\])\\Z/.test(source)) return "\\Z is not an anchor in JavaScript: write $";
  return undefined;
}

/** An http check's `bodyMatches`: a regular expression, checked as the config loads. */
export const bodyPattern = nonEmpty("a regular expression").superRefine((source, context) => {
  const problem = regexProblem(source);
  if (problem === undefined) return;
  context.addIssue({
    code: "custom",
    input: source,
    message: `${REGEX_HINT}, got ${quoted(source)}: ${problem}`,
  });
}).meta({ format: "regex" });

const PATH_HINT = 'expected a JSON path such as $.status, $.checks[0].healthy or $["a key"]';

const jsonPath = z.string({ error: PATH_HINT }).superRefine((path, context) => {
  const parsed = parseJsonPath(path);
  if (parsed.ok) return;
  context.addIssue({
    code: "custom",
    input: path,
    message: `${PATH_HINT}, ${parsed.problem}, got ${quoted(path)}`,
  });
}).meta({ pattern: JSON_PATH_PATTERN });

/** Reads `"1.5"` as 1.5, so `${VAR}` works where a number is expected. */
function decimalText(value: unknown): unknown {
  return typeof value === "string" && /^-?\d+(?:\.\d+)?$/.test(value.trim())
    ? Number(value)
    : value;
}

const jsonNumber = z.preprocess(
  decimalText,
  z.number({ error: "expected a number" }).refine(Number.isFinite, { error: "expected a number" }),
);

/** The operators of a `json` condition; each condition has exactly one. */
const JSON_OPERATORS = ["equals", "exists", "lessThan", "greaterThan"] as const;
const OPERATOR_LIST = "equals, exists, lessThan or greaterThan";

/** One of an http check's `json` conditions: a path and exactly one operator. */
export const jsonCondition = z.strictObject({
  path: jsonPath,
  equals: z.union([z.string(), z.number(), z.boolean(), z.null()], {
    error: "expected a string, a number, true, false or null",
  }).optional(),
  exists: bool.optional(),
  lessThan: jsonNumber.optional(),
  greaterThan: jsonNumber.optional(),
}, { error: "expected a condition such as {path: $.status, equals: ok}" })
  .superRefine((condition, context) => {
    const given = JSON_OPERATORS.filter((operator) => operator in condition);
    if (given.length === 1) return;
    context.addIssue({
      code: "custom",
      input: condition,
      message: given.length === 0
        ? `expected one of ${OPERATOR_LIST} with the path`
        : `expected one of ${OPERATOR_LIST}, got ${given.join(" and ")}`,
    });
  })
  // The path and one operator: the JSON Schema's way to say "exactly one operator".
  .meta({ minProperties: 2, maxProperties: 2 });
