/**
 * Where a config problem is and how it reads: finds the YAML line and column of
 * a key path, writes the path as the docs do, and turns each zod issue into
 * problems that quote the offending value (never a secret's); also the one
 * problem found on the raw input rather than by the schema, check names used twice.
 *
 * @module
 */

import { isMap, isScalar, isSeq, type LineCounter, type Node } from "yaml";
import type { z } from "zod";
import { hideUrlCredentials, MASK } from "../mask.ts";
import type { ConfigProblem } from "./error.ts";
import { isSecretPath } from "./secrets.ts";

/** A key path such as `["checks", 2, "port"]`. */
export type Path = readonly PropertyKey[];

/**
 * Formats a key path the way the docs write it: `checks[2].headers["X-Probe"]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatPath } from "./_problems.ts";
 * assert(formatPath(["checks", 2, "headers", "X-Probe"]) === 'checks[2].headers["X-Probe"]');
 * ```
 */
export function formatPath(path: Path): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(String(segment))) {
      out += out === "" ? String(segment) : `.${String(segment)}`;
    } else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

/** A short, quoted description of a value for error messages. */
function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null (an empty value)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") {
    // A URL's credentials stay out of error messages, as they do out of check messages.
    const shown = hideUrlCredentials(value);
    return JSON.stringify(shown.length > 60 ? `${shown.slice(0, 57)}...` : shown);
  }
  return String(value);
}

/** Finds the YAML node at `path` (or the key node of its last segment) and returns its position. */
export function locate(
  root: Node | null,
  path: Path,
  lines: LineCounter,
  wantKey: boolean,
): { line: number; column: number } | undefined {
  let node: unknown = root;
  let found: unknown = root;
  for (const [index, segment] of path.entries()) {
    const last = index === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) =>
        isScalar(item.key) && String(item.key.value) === String(segment)
      );
      if (!pair) break;
      node = pair.value;
      found = last && wantKey ? pair.key : (pair.value ?? pair.key);
    } else if (isSeq(node) && typeof segment === "number") {
      node = node.items[segment];
      if (!node) break;
      found = node;
    } else break;
  }
  const offset = (found as { range?: [number, number, number] } | null)?.range?.[0];
  if (offset === undefined) return undefined;
  const position = lines.linePos(offset);
  return { line: position.line, column: position.col };
}

/** Turns one zod issue into the problems it stands for (an unknown-keys issue may name several). */
export function problemsOf(
  issue: z.core.$ZodIssue,
  root: Node | null,
  lines: LineCounter,
): ConfigProblem[] {
  const at = (path: Path, message: string, wantKey = false): ConfigProblem => ({
    ...(path.length > 0 ? { path: formatPath(path) } : {}),
    ...locate(root, path, lines, wantKey),
    message,
  });
  const input = (issue as { input?: unknown }).input;
  // A mistyped secret is reported without its value.
  const shown = (value: unknown) => isSecretPath(issue.path) ? `"${MASK}"` : describe(value);
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) =>
        at(
          [...issue.path, key],
          `unknown key ${JSON.stringify(key)} (check its spelling and indentation)`,
          true,
        )
      );
    case "invalid_union": {
      const discriminator = (issue as { discriminator?: string }).discriminator;
      if (discriminator === "type") {
        const options = (issue as { options?: unknown[] }).options ?? [];
        const got = (input as Record<string, unknown> | undefined)?.type;
        const expected = options.map((o) => JSON.stringify(o)).join(", ");
        return [at(issue.path, `expected one of ${expected}, got ${shown(got)}`)];
      }
      return [at(issue.path, `${issue.message}, got ${shown(input)}`)];
    }
    case "invalid_value":
      return [
        at(
          issue.path,
          `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, got ${
            shown(input)
          }`,
        ),
      ];
    case "invalid_type":
      if (input === undefined) return [at(issue.path, "required key is missing")];
      return [at(issue.path, `${issue.message}, got ${shown(input)}`)];
    case "invalid_key": {
      // A bad mapping key (a header name): zod's own hint is in the nested issue,
      // and a key is a name, never a secret.
      const nested = (issue as { issues?: { message?: string }[] }).issues?.[0]?.message;
      return [at(issue.path, `${nested ?? issue.message}, got ${describe(input)}`, true)];
    }
    case "custom":
      return [at(issue.path, issue.message)];
    case "too_small":
    case "too_big":
      if (Array.isArray(input) || input === undefined) return [at(issue.path, issue.message)];
      return [at(issue.path, `${issue.message}, got ${shown(input)}`)];
    default:
      if (input === undefined) return [at(issue.path, issue.message)];
      return [at(issue.path, `${issue.message}, got ${shown(input)}`)];
  }
}

/**
 * Finds check names used twice. Done on the raw input rather than in the schema,
 * so a duplicate is reported even when another check is invalid.
 */
export function duplicateNames(
  input: unknown,
  root: Node | null,
  lines: LineCounter,
): ConfigProblem[] {
  const checks = (input as { checks?: unknown } | null)?.checks;
  if (!Array.isArray(checks)) return [];
  const first = new Map<string, number>();
  const problems: ConfigProblem[] = [];
  checks.forEach((item, index) => {
    const name = (item as { name?: unknown } | null)?.name;
    if (typeof name !== "string") return;
    const seen = first.get(name);
    if (seen === undefined) {
      first.set(name, index);
      return;
    }
    const path = ["checks", index, "name"];
    problems.push({
      path: formatPath(path),
      ...locate(root, path, lines, false),
      message: `duplicate check name ${JSON.stringify(name)} (also used by checks[${seen}])`,
    });
  });
  return problems;
}
