/**
 * Reads a YAML (or JSON) config, expands `${VAR}` references, validates it and
 * applies defaults, then reads the files it names (a check's TLS files). Every
 * problem in the file is reported at once, each with its line and key path, as
 * one {@link ConfigError}.
 *
 * @module
 */

import { LineCounter, type Node, parseDocument } from "yaml";
import type { Platform } from "../platform/platform.ts";
import { PlatformError } from "../platform/platform_error.ts";
import { formatPath, locate, type Path, problemsOf } from "./_problems.ts";
import { CyclicValueError, expandEnv, type MissingVariable } from "./env_expand.ts";
import { ConfigError, type ConfigProblem } from "./error.ts";
import { type Config, resolveConfig } from "./resolve.ts";
import { configSchema } from "./schema.ts";
import { isSecretPath } from "./secrets.ts";
import { readTlsFiles } from "./tls_files.ts";
import { MAX_CONFIG_BYTES } from "./limits.ts";
import { MASK } from "../mask.ts";

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
 * Parses and validates config text. `file` is only used in messages. The
 * files the config names (TLS files) are not read: {@link parseConfigFiles}
 * reads them, as loading and reloading a file do.
 *
 * @throws {ConfigError} listing every problem found
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConfig } from "./load.ts";
 * const config = parseConfig("checks: [{name: db, type: tcp, port: 5432}]", "inline.yaml", {});
 * assert.equal(config.cache.ttl, 30_000);
 * assert.equal(config.checks[0]?.timeout, 5_000);
 * ```
 */
export function parseConfig(
  text: string,
  file: string,
  env: Readonly<Record<string, string>>,
): Config {
  return parse(text, file, env).config;
}

/** {@link parseConfig}'s work, also saying where a key path is in the text. */
function parse(
  text: string,
  file: string,
  env: Readonly<Record<string, string>>,
): { config: Config; where: (path: Path) => { line: number; column: number } | undefined } {
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
  const problems: ConfigProblem[] = missing.map(({ path, variable, unsupported }) => ({
    path: formatPath(path),
    ...locate(doc.contents, path, lines, false),
    message: unsupported
      // A secret's text around the reference is part of the secret: not quoted.
      ? `unsupported variable reference ${isSecretPath(path) ? `"${MASK}"` : `"${variable}"`}: ` +
        `write \${VAR} or \${VAR:-default} ` +
        `(a default cannot hold another reference; $\${ writes a literal \${)`
      : `environment variable "${variable}" is not set (write \${${variable}:-default} for a fallback)`,
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
  return {
    config: resolveConfig(result.data!),
    where: (path) => locate(doc.contents, path, lines, false),
  };
}

/**
 * {@link parseConfig}, then reads the files the config names (a check's
 * `tls.ca`, `tls.cert` and `tls.key`) into it, so a missing or unreadable
 * file is a config problem too, with its line and key path.
 *
 * @throws {ConfigError} listing every problem found
 * @example
 * ```ts ignore
 * const config = await parseConfigFiles(text, "vitals.yaml", detectPlatform());
 * ```
 */
export async function parseConfigFiles(
  text: string,
  file: string,
  platform: Pick<Platform, "readTextFile" | "env">,
): Promise<Config> {
  const { config, where } = parse(text, file, platform.env());
  const read = await readTlsFiles(config, platform);
  if (read.problems.length > 0) {
    throw new ConfigError(
      file,
      read.problems.map(({ path, message }) => ({
        path: formatPath(path),
        ...where(path),
        message,
      })).sort(byPosition),
    );
  }
  return read.config;
}

/**
 * Reads, parses and validates a config file.
 *
 * @throws {ConfigError} when the file cannot be read or is not a valid config
 * @example
 * ```ts ignore
 * const config = await loadConfig("vitals.yaml", detectPlatform());
 * ```
 */
export async function loadConfig(
  file: string,
  platform: Pick<Platform, "readTextFile" | "env">,
): Promise<Config> {
  return (await loadConfigFile(file, platform)).config;
}

/**
 * {@link loadConfig}, also returning the text the config was parsed from (so
 * `--watch` compares later reads with exactly what is in force).
 *
 * @throws {ConfigError} when the file cannot be read or is not a valid config
 * @example
 * ```ts ignore
 * const { config, text } = await loadConfigFile("vitals.yaml", detectPlatform());
 * ```
 */
export async function loadConfigFile(
  file: string,
  platform: Pick<Platform, "readTextFile" | "env">,
): Promise<{ config: Config; text: string }> {
  let text: string;
  try {
    text = await platform.readTextFile(file, MAX_CONFIG_BYTES);
  } catch (error) {
    const reason = error instanceof PlatformError
      ? (error.code === "EFBIG"
        ? `the file is larger than ${MAX_CONFIG_BYTES} bytes`
        : error.reason)
      : String(error);
    throw new ConfigError(file, [{ message: reason }], {
      head: `Cannot read config "${file}": ${reason}`,
      cause: error,
    });
  }
  return { config: await parseConfigFiles(text, file, platform), text };
}
