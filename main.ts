/**
 * vitals: a config-driven health-check sidecar. The entry point: finds the
 * runtime, runs the command line (`src/cli/`), and exits with its code.
 *
 * @example
 * ```sh
 * deno run -A main.ts serve --config config.example.yaml
 * bun main.ts check --config vitals.yaml --json
 * ```
 *
 * @module
 */

import { runCli } from "./src/cli/run.ts";
import { detectPlatform } from "./src/platform/mod.ts";

if (import.meta.main) {
  const platform = detectPlatform();
  try {
    platform.exit(await runCli(platform.args(), platform));
  } catch (error) {
    console.error(`vitals: internal error: ${error instanceof Error ? error.stack : error}`);
    platform.exit(1);
  }
}
