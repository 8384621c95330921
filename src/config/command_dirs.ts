/**
 * The working directories of command checks (`cwd`): looked at when the
 * config is loaded, as the TLS files are read (tls_files.ts), so a directory
 * that does not exist, or is a file, is a config problem that names the key
 * and the line, rather than a check that is DOWN at every run. Relative paths
 * start at vitals' working directory, as the command's own `cwd` does.
 *
 * @module
 */

import type { Platform } from "../platform/platform.ts";
import { PlatformError } from "../platform/platform_error.ts";
import type { Config } from "./resolve.ts";

/** A `cwd` that cannot be used: its key path and what is wrong, as a config problem says it. */
export interface CommandDirProblem {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** Why `dir` cannot be a working directory, or `undefined` when it can. */
async function dirProblem(
  dir: string,
  platform: Pick<Platform, "stat">,
): Promise<string | undefined> {
  const shown = JSON.stringify(dir);
  try {
    const info = await platform.stat(dir);
    return info.isDirectory ? undefined : `${shown} is not a directory`;
  } catch (error) {
    if (error instanceof PlatformError && error.code === "ENOENT") {
      return `directory ${shown} does not exist`;
    }
    const reason = error instanceof PlatformError ? error.reason : String(error);
    return `cannot use directory ${shown}: ${reason}`;
  }
}

/**
 * Looks at the `cwd` of every command check, each directory once, and
 * returns what is wrong with them; `[]` when each exists and is a directory.
 *
 * @example
 * ```ts ignore
 * const problems = await commandDirProblems(config, platform);
 * // [{ path: ["checks", 2, "cwd"], message: 'directory "/nope" does not exist' }]
 * ```
 */
export async function commandDirProblems(
  config: Config,
  platform: Pick<Platform, "stat">,
): Promise<CommandDirProblem[]> {
  const looks = new Map<string, Promise<string | undefined>>();
  const found = await Promise.all(config.checks.map(async (check, index) => {
    if (check.type !== "command" || check.cwd === undefined) return undefined;
    if (!looks.has(check.cwd)) looks.set(check.cwd, dirProblem(check.cwd, platform));
    const message = await looks.get(check.cwd)!;
    return message === undefined ? undefined : { path: ["checks", index, "cwd"], message };
  }));
  return found.filter((problem) => problem !== undefined);
}
