/**
 * Reads a YAML (or JSON) config, expands `${VAR}` references, validates it and
 * applies defaults, then reads the files it names (a check's TLS files) and
 * looks at the directories (a command's `cwd`). Every problem in the file is
 * reported at once, each with its line and key path, as one {@link ConfigError}.
 *
 * @module
 */

import { LineCounter, parseDocument } from "yaml";
import type { Platform } from "../platform/platform.ts";
import { PlatformError } from "../platform/platform_error.ts";
import { duplicateNames, formatPath, locate, type Path, problemsOf } from "./_problems.ts";
import { CyclicValueError, expandEnv, type MissingVariable } from "./env_expand.ts";
import { ConfigError, type ConfigProblem } from "./error.ts";
import { type Config, resolveConfig } from "./resolve.ts";
import { configSchema } from "./schema.ts";
import { isSecretPath } from "./secrets.ts";
import { readTlsFiles } from "./tls_files.ts";
import { commandDirProblems } from "./command_dirs.ts";
import { syntaxProblems } from "./_yaml_errors.ts";
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
  if (doc.errors.length > 0) throw new ConfigError(file, syntaxProblems(doc, text, lines));
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
 * What loading needs from the platform: files, directories and the
 * environment, and where it has one, the check of a TLS port's key pair.
 */
export type ConfigPlatform =
  & Pick<Platform, "readTextFile" | "stat" | "env">
  & Partial<Pick<Platform, "checkServerTls">>;

/**
 * {@link parseConfig}, then reads the files the config names (a check's
 * `tls.ca`, `tls.cert` and `tls.key`) into it and looks at the directories it
 * names (a command check's `cwd`), so a missing or unreadable file and a
 * missing directory are config problems too, with their line and key path.
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
  platform: ConfigPlatform,
): Promise<Config> {
  const { config, where } = parse(text, file, platform.env());
  const [read, dirs] = await Promise.all([
    readTlsFiles(config, platform),
    commandDirProblems(config, platform),
  ]);
  const problems = [...read.problems, ...dirs];
  if (problems.length > 0) {
    throw new ConfigError(
      file,
      problems.map(({ path, message }) => ({
        path: formatPath(path),
        ...where(path),
        message,
      })).sort(byPosition),
    );
  }
  return read.config;
}

/** How {@link loadConfig} reads the file. */
export interface LoadOptions {
  /**
   * Said after "file does not exist" when the file is missing, in brackets:
   * how to name another file, when the caller chose this one by default.
   */
  readonly missingHint?: string | undefined;
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
  platform: ConfigPlatform,
  options?: LoadOptions,
): Promise<Config> {
  return (await loadConfigFile(file, platform, options)).config;
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
  platform: ConfigPlatform,
  options?: LoadOptions,
): Promise<{ config: Config; text: string }> {
  let text: string;
  try {
    text = await platform.readTextFile(file, MAX_CONFIG_BYTES);
  } catch (error) {
    const missing = error instanceof PlatformError && error.code === "ENOENT" &&
      options?.missingHint !== undefined;
    const reason = error instanceof PlatformError
      ? (error.code === "EFBIG"
        ? `the file is larger than ${MAX_CONFIG_BYTES} bytes`
        : `${error.reason}${missing ? ` (${options?.missingHint})` : ""}`)
      : String(error);
    throw new ConfigError(file, [{ message: reason }], {
      head: `Cannot read config "${file}": ${reason}`,
      cause: error,
    });
  }
  return { config: await parseConfigFiles(text, file, platform), text };
}
