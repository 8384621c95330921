/**
 * vitals: a config-driven health-check sidecar. The entry point: holds
 * signals from the first moment, loads and runs the command line
 * (`src/cli/`), and exits with its code.
 *
 * @example
 * ```sh
 * deno run -A main.ts serve --config config.example.yaml
 * bun main.ts check --config vitals.yaml --json
 * ```
 *
 * @module
 */

import { holdSignals } from "./src/cli/signals.ts";
import { detectPlatform } from "./src/platform/mod.ts";

if (import.meta.main) {
  const platform = detectPlatform();
  // Before the rest of vitals loads: a signal during start-up must not kill it.
  const signals = holdSignals(platform);
  try {
    const { runCli } = await import("./src/cli/run.ts");
    platform.exit(await runCli(platform.args(), platform, signals));
  } catch (error) {
    console.error(`vitals: internal error: ${error instanceof Error ? error.stack : error}`);
    platform.exit(1);
  }
}
