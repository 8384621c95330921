/**
 * `vitals validate`: loads the config and says whether it is valid. Problems
 * surface as a `ConfigError` (exit 2), reported by the command runner.
 *
 * @module
 */

import { loadConfig } from "../config/load.ts";
import type { Platform } from "../platform/mod.ts";
import { plural } from "../text.ts";
import { configMissingHint, configPath, type Flags } from "./flags.ts";

/**
 * Validates the config file and returns 0; throws `ConfigError` when invalid.
 *
 * @example
 * ```ts ignore
 * await validateCommand({ config: "vitals.yaml" }, detectPlatform()); // prints "config OK: 3 checks ..."
 * ```
 */
export async function validateCommand(flags: Flags, platform: Platform): Promise<number> {
  const env = platform.env();
  const file = configPath(flags, env);
  const config = await loadConfig(file, platform, { missingHint: configMissingHint(flags, env) });
  console.log(`config OK: ${plural(config.checks.length, "check")} in "${file}"`);
  return 0;
}
