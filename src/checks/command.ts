/**
 * The `command` check: runs a program (no shell) and reads its exit code.
 * Exit 0 is UP; anything else is DOWN with the exit code and the tail of its
 * output. With `nagios: true`, exits 0 to 3 are read as a Nagios plugin's
 * states, with its first line and perfdata (`nagios.ts`). On timeout the
 * runner aborts, which kills the whole process group.
 *
 * @module
 */

import { maskCutStart, maskSecrets } from "../mask.ts";
import { type Platform, type SpawnResult } from "../platform/platform.ts";
import { down, type Inspect, type Outcome, up } from "./check.ts";
import { NAGIOS_OUTPUT_LIMIT, nagiosOutcome, parsePluginOutput } from "./_command_nagios.ts";
import type { CheckConfigOf } from "../config/resolve.ts";
import { secretsOf } from "../config/secrets.ts";
import { PlatformError } from "../platform/platform_error.ts";

/** Output bytes kept from a command, as Consul keeps: the last 4 KiB. */
export const OUTPUT_LIMIT = 4096;

/**
 * Output bytes read from one run at most; a command that writes more is
 * killed and DOWN. A health check has no reason to print a mebibyte, and
 * reading a flood (`yes`) at full speed cost 30-80 MB of RSS.
 */
export const OUTPUT_CAP = 1024 * 1024;

async function startFailure(
  config: CheckConfigOf<"command">,
  error: unknown,
  platform: Platform,
): Promise<string> {
  const program = JSON.stringify(config.command[0]);
  if (error instanceof PlatformError) {
    if (error.code === "ENOENT") {
      const interpreter = await missingInterpreter(config.command[0] ?? "", platform);
      if (interpreter !== undefined) {
        return `command not executable: ${program} (its interpreter ${
          JSON.stringify(interpreter)
        } does not exist)`;
      }
      return config.cwd === undefined
        ? `command not found: ${program}`
        : `command not found: ${program}, or cwd ${JSON.stringify(config.cwd)} does not exist`;
    }
    if (error.code === "EACCES") return `command not executable: ${program} (permission denied)`;
    if (error.code === "ENOEXEC") {
      return `command not executable: ${program} (not a program, and no #! line)`;
    }
    return `cannot run ${program}: ${error.message}`;
  }
  return `cannot run ${program}: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * A script that exists but whose `#!` interpreter does not also fails with
 * ENOENT; returns that interpreter, or `undefined` when the program is missing.
 */
async function missingInterpreter(
  program: string,
  platform: Platform,
): Promise<string | undefined> {
  if (!program.includes("/")) return undefined;
  try {
    const text = await platform.readTextFile(program);
    const line = /^#![ \t]*([^\s]+)(\r?)/.exec(text.slice(0, 256));
    if (!line) return undefined;
    // "#!/bin/sh\r": a file saved with Windows line ends names "/bin/sh\r".
    return line[2] ? `${line[1]}\r` : line[1];
  } catch {
    return undefined;
  }
}

/**
 * A finished plugin's outcome, or `undefined` when its exit code is not a
 * Nagios state (0 to 3): then it is judged as any command is.
 */
function pluginOutcome(result: SpawnResult, secrets: readonly string[]): Outcome | undefined {
  if (result.code === null || result.overflowed) return undefined;
  const stdout = result.stdout ?? { text: "", bytes: 0 };
  // Masked before parsing, so no label carries a secret; a cut line is dropped by the parser.
  const output = parsePluginOutput(
    maskSecrets(stdout.text, secrets),
    stdout.bytes > NAGIOS_OUTPUT_LIMIT,
  );
  // Nothing on stdout: stderr's first line (the combined output's, when it was not cut).
  const stderr = result.outputBytes > OUTPUT_LIMIT ? "" : result.output.trim().split("\n", 1)[0];
  return nagiosOutcome(result.code, output, stderr);
}

/**
 * Creates the inspection for a command check.
 *
 * @example
 * ```ts ignore
 * const inspect = commandInspect({ ...config, command: ["pgrep", "-x", "myapp"] }, platform);
 * await inspect(AbortSignal.timeout(2000)); // { status: "UP", message: "exit 0" }
 * ```
 */
export function commandInspect(config: CheckConfigOf<"command">, platform: Platform): Inspect {
  const [program, ...args] = config.command;
  const argv: [string, ...string[]] = [program ?? "", ...args];
  const secrets = secretsOf(config);
  const nagios = config.nagios === true;
  return async (signal) => {
    let result;
    try {
      result = await platform.spawn({
        argv,
        ...(config.cwd === undefined ? {} : { cwd: config.cwd }),
        ...(config.env === undefined ? {} : { env: config.env }),
        signal,
        outputLimit: OUTPUT_LIMIT,
        outputCap: OUTPUT_CAP,
        ...(nagios ? { stdoutHead: NAGIOS_OUTPUT_LIMIT } : {}),
      });
    } catch (error) {
      return down(await startFailure(config, error, platform));
    }
    if (nagios && !signal.aborted) {
      const outcome = pluginOutcome(result, secrets);
      if (outcome !== undefined) return outcome;
    }
    // Stopped by the runner (timeout): only the output is news, the one clue to why it hung.
    if (result.code === 0 && !signal.aborted && !result.overflowed) return up("exit 0");
    let output = result.output.trim();
    const truncated = result.outputBytes > OUTPUT_LIMIT;
    // The runner masks whole secrets; only this inspection knows where the output was cut.
    // A cut inside a multibyte character decodes as U+FFFD: drop it, so the rest of a secret matches.
    if (truncated) output = maskCutStart(output.replace(/^\uFFFD+/, ""), secrets);
    const cut = truncated ? ` (last ${OUTPUT_LIMIT} of ${result.outputBytes} bytes)` : "";
    if (signal.aborted) return down(output === "" ? "" : `output so far${cut}: ${output}`);
    const how = result.overflowed
      ? `stopped after writing more than ${OUTPUT_CAP} bytes of output`
      : result.code === null
      ? `killed by ${result.signal}`
      : nagios
      ? `exit code ${result.code} (not a Nagios plugin state, 0 to 3)`
      : `exit code ${result.code}`;
    return down(output === "" ? how : `${how}${cut}: ${output}`);
  };
}
