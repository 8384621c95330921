/**
 * The command runner: picks the subcommand, parses its flags against the
 * option table, runs it, and turns every expected failure into a message and
 * an exit code (0 ok, 1 DOWN or runtime failure, 2 usage or config error).
 *
 * Each subcommand is loaded with `import()` when it runs, so a command loads
 * only what it uses: `probe`, `--version` and `--help` never load the YAML
 * parser, the config schema, a check kind or a Node built-in, and `check`
 * and `validate` never load the server (`tests/scenarios/cli_imports.test.ts` checks
 * the imports; section 6 of `deno task bench` traces them at run time):
 * BENCHMARKS.md, "`vitals probe` start to exit".
 *
 * @module
 */

import { ConfigError } from "../config/error.ts";
import type { Platform } from "../platform/mod.ts";
import { VERSION } from "../version.ts";
import { helpText } from "./help.ts";
import { parseFlags, UsageError } from "./flags.ts";
import { type Command, isCommand } from "./options.ts";
import type { HeldSignals } from "./signals.ts";

/** What each way of building vitals is called in the `--version` line. */
const BUILT = {
  "bun build --compile": "compiled with bun build --compile",
  "deno compile": "compiled with deno compile",
  source: "run from source",
} as const;

/**
 * The `--version` line: the vitals version, the runtime and its version, and
 * how this vitals was built.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const line = versionLine({ runtime: "bun", version: "1.4.4", build: "bun build --compile" });
 * assert.match(line, /^vitals \d+\.\d+\.\d+ \(bun 1\.4\.4, compiled with bun build --compile\)$/);
 * ```
 */
export function versionLine(platform: Pick<Platform, "runtime" | "version" | "build">): string {
  return `vitals ${VERSION} (${platform.runtime} ${platform.version}, ${BUILT[platform.build]})`;
}

/**
 * Runs the command line and returns the exit code.
 *
 * @example
 * ```ts ignore
 * const platform = detectPlatform();
 * platform.exit(await runCli(["validate", "--config", "vitals.yaml"], platform));
 * ```
 */
export async function runCli(
  args: readonly string[],
  platform: Platform,
  signals?: HeldSignals,
): Promise<number> {
  // Without held signals (a test calling in), commands listen on the platform directly.
  const listen = signals ?? platform;
  const first = args[0];
  const named = first !== undefined && !first.startsWith("-");
  if (named && !isCommand(first)) {
    console.error(`vitals: unknown command "${first}"\n\n${helpText()}`);
    return 2;
  }
  const command: Command = named ? first as Command : "serve";
  try {
    const rest = named ? args.slice(1) : args;
    // `maint` takes its action (on, off or status) before its options.
    const action = command === "maint" && !rest[0]?.startsWith("-") ? rest[0] : undefined;
    const flags = parseFlags(command, action === undefined ? rest : rest.slice(1));
    if (flags.version === true || flags.help === true) signals?.releaseRest();
    if (flags.version === true) {
      console.log(versionLine(platform));
      return 0;
    }
    if (flags.help === true) {
      console.log(helpText(named ? command : undefined));
      return 0;
    }
    switch (command) {
      case "serve": {
        const { serveCommand } = await import("./serve.ts");
        return await serveCommand(flags, platform, listen);
      }
      case "check": {
        const { checkCommand } = await import("./check.ts");
        return await checkCommand(flags, platform, listen);
      }
      case "validate": {
        signals?.releaseRest();
        const { validateCommand } = await import("./validate.ts");
        return await validateCommand(flags, platform);
      }
      case "probe": {
        signals?.releaseRest();
        const { probeCommand } = await import("./probe.ts");
        return await probeCommand(flags, platform);
      }
      case "maint": {
        signals?.releaseRest();
        const { maintCommand } = await import("./maint.ts");
        return await maintCommand(action, flags, rest.slice(1), platform);
      }
      case "hash-token": {
        signals?.releaseRest();
        const { hashTokenCommand } = await import("./hash_token.ts");
        return await hashTokenCommand(platform);
      }
      case "schema": {
        signals?.releaseRest();
        const { schemaCommand } = await import("./schema.ts");
        return schemaCommand();
      }
    }
  } catch (error) {
    if (error instanceof UsageError) {
      const help = error.command === undefined ? "" : `${error.command} `;
      console.error(`vitals: ${error.message}\nRun "vitals ${help}--help" for usage.`);
      return 2;
    }
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
}
