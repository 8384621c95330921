/**
 * The command line parsed against the option table (`options.ts`): flags,
 * usage errors, and the config file a command reads.
 *
 * @module
 */

import { nodeParseArgs } from "../platform/mod.ts";
import { type Command, optionsOf } from "./options.ts";

/** A mistake on the command line: reported with a pointer to the help, exit code 2. */
export class UsageError extends Error {
  /** The command whose help to point at; `undefined` for `vitals --help`. */
  readonly command: Command | undefined;

  constructor(message: string, command?: Command) {
    super(message);
    this.name = "UsageError";
    this.command = command;
  }
}

/** Parsed flags: string options as strings, switches as `true`. */
export type Flags = Readonly<Record<string, string | boolean | undefined>>;

/**
 * Parses `args` for `command` against the table.
 *
 * A command line of known options each written out in full (`--name`,
 * `--name=value`, `--name value`, `-x`, `-x value`) is read here; anything
 * else (an unknown option, a missing value, a value starting with `-`,
 * grouped short flags, `--`, a positional argument) goes to Node's
 * `parseArgs`, which gives the same answer or the error message. Node's
 * `util` is loaded only then: in the compiled binary it is about a third of a
 * "hello" program's start-up, which `vitals probe` (the image's health check)
 * would otherwise pay on every run (BENCHMARKS.md, "`vitals probe` start to
 * exit"). `tests/cli/options.test.ts` checks both paths agree.
 *
 * @throws {UsageError} for an unknown option, a missing value or a positional argument
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseFlags } from "./flags.ts";
 * const flags = parseFlags("check", ["--json", "-c", "vitals.yaml"]);
 * assert(flags.json === true && flags.config === "vitals.yaml");
 * ```
 */
export function parseFlags(command: Command, args: readonly string[]): Flags {
  return readPlainFlags(command, args) ?? parseFlagsFully(command, args);
}

/**
 * The flags of a command line in the plain form {@link parseFlags} reads
 * itself, or `undefined` for any other, which `parseArgs` must judge.
 * Exported for the test that compares the two.
 */
export function readPlainFlags(command: Command, args: readonly string[]): Flags | undefined {
  const specs = optionsOf(command);
  // As parseArgs: a null-prototype object, the last of repeated options wins.
  const flags: Record<string, string | boolean> = Object.create(null);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const equals = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = equals >= 0 ? arg.slice(2, equals) : arg;
    const spec = specs.find((s) =>
      equals >= 0
        ? s.name === name
        : arg === `--${s.name}` || (s.short !== undefined && arg === `-${s.short}`)
    );
    if (spec === undefined) return undefined;
    if (spec.value === undefined) {
      if (equals >= 0) return undefined;
      flags[spec.name] = true;
    } else if (equals >= 0) {
      flags[spec.name] = arg.slice(equals + 1);
    } else {
      const value = args[++i];
      if (value === undefined || value.startsWith("-")) return undefined;
      flags[spec.name] = value;
    }
  }
  return flags;
}

/** `parseArgs` over the table, loaded when first needed. */
function parseFlagsFully(command: Command, args: readonly string[]): Flags {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  for (const spec of optionsOf(command)) {
    options[spec.name] = {
      type: spec.value === undefined ? "boolean" : "string",
      ...(spec.short === undefined ? {} : { short: spec.short }),
    };
  }
  try {
    return nodeParseArgs()({ args: [...args], options, allowPositionals: false, strict: true })
      .values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), command);
  }
}

/** A string flag's value, or `undefined`. */
export function stringFlag(flags: Flags, name: string): string | undefined {
  const value = flags[name];
  return typeof value === "string" ? value : undefined;
}

/** The config file: `--config`, else `$VITALS_CONFIG`, else `vitals.yaml`. */
export function configPath(flags: Flags, env: Readonly<Record<string, string>>): string {
  return stringFlag(flags, "config") ?? env["VITALS_CONFIG"] ?? "vitals.yaml";
}

/**
 * What a "file does not exist" message adds about the config file
 * {@link configPath} chose: how to name another when it is the default,
 * where its name came from when that is the environment, nothing after
 * `--config`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configMissingHint } from "./flags.ts";
 * assert.equal(configMissingHint({}, {}), "the default: pass --config FILE or set VITALS_CONFIG");
 * assert.equal(configMissingHint({}, { VITALS_CONFIG: "/etc/v.yaml" }), "named by VITALS_CONFIG");
 * assert.equal(configMissingHint({ config: "v.yaml" }, {}), undefined);
 * ```
 */
export function configMissingHint(
  flags: Flags,
  env: Readonly<Record<string, string>>,
): string | undefined {
  if (stringFlag(flags, "config") !== undefined) return undefined;
  if (env["VITALS_CONFIG"] !== undefined) return "named by VITALS_CONFIG";
  return "the default: pass --config FILE or set VITALS_CONFIG";
}
