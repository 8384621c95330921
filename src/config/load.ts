/**
 * Reads a YAML (or JSON) config, expands `${VAR}` references, validates it and
 * applies defaults. Every problem in the file is reported at once, each with its
 * line and key path, as one {@link ConfigError}.
 *
 * @module
 */

import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { z } from "zod";
import { type Platform, PlatformError } from "../platform/types.ts";
import { hideUrlCredentials, isSecretPath, MASK } from "../secrets.ts";
import { ConfigError, type ConfigProblem } from "./error.ts";
import { CyclicValueError, expandEnv, type MissingVariable } from "./env_expand.ts";
import { type Config, configSchema, resolveConfig } from "./schema.ts";

type Path = readonly PropertyKey[];

/**
 * Formats a key path the way the docs write it: `checks[2].headers["X-Probe"]`.
 *
 * @example
 * ```ts
 * formatPath(["checks", 2, "port"]); // "checks[2].port"
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
function locate(
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
function problemsOf(
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
 * Drops top-level keys starting with `x-`: a place for YAML anchors shared by
 * several checks, as in docker-compose files.
 */
function withoutExtensions(value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !key.startsWith("x-")));
}

/**
 * Finds check names used twice. Done on the raw input rather than in the schema,
 * so a duplicate is reported even when another check is invalid.
 */
function duplicateNames(input: unknown, root: Node | null, lines: LineCounter): ConfigProblem[] {
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

/** Compares positions so problems come out in file order. */
function byPosition(a: ConfigProblem, b: ConfigProblem): number {
  return (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0);
}

/**
 * Parses and validates config text. `file` is only used in messages.
 *
 * @throws {ConfigError} listing every problem found
 * @example
 * ```ts
 * const config = parseConfig("checks: [{name: db, type: tcp, port: 5432}]", "inline.yaml", {});
 * config.cache.ttl; // 30000
 * config.checks[0]?.timeout; // 5000
 * ```
 */
export function parseConfig(
  text: string,
  file: string,
  env: Readonly<Record<string, string>>,
): Config {
  const lines = new LineCounter();
  // merge: YAML 1.1 merge keys (`<<: *defaults`), which ops configs often use.
  const doc = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: true,
    uniqueKeys: true,
    merge: true,
  });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((error) => {
        const position = error.linePos?.[0];
        return {
          ...(position ? { line: position.line, column: position.col } : {}),
          message: `YAML syntax error: ${
            error.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "")
          }`,
        };
      }),
    );
  }
  if (doc.contents === null) {
    throw new ConfigError(file, [{
      message: "the file is empty: it needs at least a checks list",
    }]);
  }
  const missing: MissingVariable[] = [];
  let plain: unknown;
  try {
    plain = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // Unresolved aliases and alias bombs surface only here.
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigError(file, [{ message: `YAML error: ${message}` }], { cause: error });
  }
  let expanded: unknown;
  try {
    expanded = withoutExtensions(expandEnv(plain, env, missing));
  } catch (error) {
    if (error instanceof CyclicValueError) {
      throw new ConfigError(file, [{
        ...(error.path.length > 0 ? { path: formatPath(error.path) } : {}),
        ...locate(doc.contents, error.path, lines, false),
        message: "YAML error: an alias refers to its own anchor, so the value contains itself",
      }], { cause: error });
    }
    if (!(error instanceof RangeError)) throw error;
    throw new ConfigError(file, [{ message: "YAML error: the nesting is too deep" }], {
      cause: error,
    });
  }
  const problems: ConfigProblem[] = missing.map(({ path, variable }) => ({
    path: formatPath(path),
    ...locate(doc.contents, path, lines, false),
    message:
      `environment variable "${variable}" is not set (write \${${variable}:-default} for a fallback)`,
  }));
  problems.push(...duplicateNames(expanded, doc.contents, lines));
  const result = configSchema.safeParse(expanded, { reportInput: true });
  if (!result.success) {
    const reported = new Set(problems.map((p) => p.path ?? ""));
    for (const issue of result.error.issues) {
      // A value emptied by a missing variable is already reported once.
      for (const problem of problemsOf(issue, doc.contents, lines)) {
        if (!reported.has(problem.path ?? "")) problems.push(problem);
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(file, problems.sort(byPosition));
  return resolveConfig(result.data!);
}

/**
 * Reads, parses and validates a config file.
 *
 * @throws {ConfigError} when the file cannot be read or is not a valid config
 * @example
 * ```ts
 * const config = await loadConfig("vitals.yaml", detectPlatform());
 * ```
 */
export async function loadConfig(
  file: string,
  platform: Pick<Platform, "readTextFile" | "env">,
): Promise<Config> {
  let text: string;
  try {
    text = await platform.readTextFile(file);
  } catch (error) {
    const reason = error instanceof PlatformError ? error.reason : String(error);
    throw new ConfigError(file, [{ message: reason }], {
      head: `Cannot read config "${file}": ${reason}`,
      cause: error,
    });
  }
  return parseConfig(text, file, platform.env());
}
