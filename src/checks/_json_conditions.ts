/**
 * An \`http\` check's \`json\` conditions: whether a parsed body holds one
 * (\`equals\`, \`exists\`, \`lessThan\`, \`greaterThan\` at a JSON path), the
 * message that says what was found instead (\`$.status is "degraded", expected
 * "ok"\`), and the words that say what held (\`$.status is "ok"\`). Values in
 * failures are cut to 60 characters, in what held to 40, and escaped.
 *
 * @module
 */

import type { CheckConfigOf } from "../config/resolve.ts";
import { jsonKind, lookUp, parseJsonPath } from "../json_path.ts";
import { escapeControl } from "../text.ts";

/** One of the `json` conditions, as the config gives it: a path and one operator. */
export type JsonCondition = NonNullable<CheckConfigOf<"http">["json"]>[number];

/** The most characters of a value or excerpt a message shows. */
export const SHOWN = 60;

/** The most characters of a configured text, pattern or value an UP message shows. */
export const SHOWN_UP = 40;

/** Text cut to `max` characters (not inside a surrogate pair), with `...` when cut. */
export function cut(text: string, max: number): string {
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max - 3).join("")}...` : text;
}

/**
 * A JSON value as a message shows it: its JSON text, cut at `max` (60)
 * characters, with control characters escaped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeJson } from "./_json_conditions.ts";
 * assert.equal(describeJson("degraded"), '"degraded"');
 * assert.equal(describeJson({ a: "x".repeat(80) }).length, 60);
 * ```
 */
export function describeJson(value: unknown, max = SHOWN): string {
  return escapeControl(cut(JSON.stringify(value) ?? String(value), max));
}

/** The operator of a `json` condition, and the value it compares with. */
function operatorOf(condition: JsonCondition): string {
  if ("exists" in condition) return "exists";
  if ("lessThan" in condition) return "lessThan";
  if ("greaterThan" in condition) return "greaterThan";
  return "equals";
}

/**
 * Why `data` fails a `json` condition (`$.status is "degraded", expected
 * "ok"`), or `undefined` when it holds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonFailure } from "./_json_conditions.ts";
 * const body = { status: "degraded", queue: 250 };
 * assert.equal(jsonFailure(body, { path: "$.status", equals: "ok" }), '$.status is "degraded", expected "ok"');
 * assert.equal(jsonFailure(body, { path: "$.queue", lessThan: 100 }), "$.queue is 250, expected less than 100");
 * assert.equal(jsonFailure(body, { path: "$.version", exists: true }), "$.version is missing");
 * assert.equal(jsonFailure(body, { path: "$.queue", greaterThan: 0 }), undefined);
 * ```
 */
export function jsonFailure(data: unknown, condition: JsonCondition): string | undefined {
  const parsed = parseJsonPath(condition.path);
  // The loader checked the path; a path that does not parse finds nothing.
  const steps = parsed.ok ? parsed.steps : undefined;
  const found = steps ? lookUp(data, steps) : { found: false as const, why: "" };
  const path = condition.path;
  if ("exists" in condition && condition.exists === false) {
    return found.found
      ? `${path} is present (${describeJson(found.value)}), expected it to be missing`
      : undefined;
  }
  if (!found.found) {
    // "no key" at the last step says no more than "missing".
    const lastKey = steps !== undefined && found.why.startsWith("no key ") &&
      lookUp(data, steps.slice(0, -1)).found;
    return `${path} is missing${lastKey || found.why === "" ? "" : ` (${found.why})`}`;
  }
  const { value } = found;
  switch (operatorOf(condition)) {
    case "exists":
      return undefined;
    case "lessThan":
    case "greaterThan": {
      const less = "lessThan" in condition;
      const limit = less ? condition.lessThan : condition.greaterThan;
      const wanted = `${less ? "less" : "greater"} than ${limit}`;
      if (typeof value !== "number") {
        return `${path} is ${describeJson(value)} (${
          jsonKind(value)
        }), expected a number ${wanted}`;
      }
      const holds = less ? value < limit! : value > limit!;
      return holds ? undefined : `${path} is ${describeJson(value)}, expected ${wanted}`;
    }
    default:
      // JSON scalars: equal when of the same type and value ("1" is not 1).
      return value === condition.equals
        ? undefined
        : `${path} is ${describeJson(value)}, expected ${describeJson(condition.equals)}`;
  }
}

/**
 * What a `json` condition that holds found, for an UP message: the path and
 * the value (`$.status is "ok"`, `$.queue is 12 (less than 100)`), or
 * `$.version exists`, `$.error is missing`. Call it only when
 * {@link jsonFailure} is `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonHeld } from "./_json_conditions.ts";
 * const body = { status: "ok", queue: 12 };
 * assert.equal(jsonHeld(body, { path: "$.status", equals: "ok" }), '$.status is "ok"');
 * assert.equal(jsonHeld(body, { path: "$.queue", lessThan: 100 }), "$.queue is 12 (less than 100)");
 * assert.equal(jsonHeld(body, { path: "$.version", exists: false }), "$.version is missing");
 * ```
 */
export function jsonHeld(data: unknown, condition: JsonCondition): string {
  const path = escapeControl(cut(condition.path, SHOWN_UP));
  if ("exists" in condition) return `${path} ${condition.exists ? "exists" : "is missing"}`;
  const parsed = parseJsonPath(condition.path);
  const found = parsed.ok ? lookUp(data, parsed.steps) : undefined;
  const value = found?.found ? describeJson(found.value, SHOWN_UP) : "present";
  if ("lessThan" in condition) return `${path} is ${value} (less than ${condition.lessThan})`;
  if ("greaterThan" in condition) {
    return `${path} is ${value} (greater than ${condition.greaterThan})`;
  }
  return `${path} is ${value}`;
}
