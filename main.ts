/**
 * vitals: a config-driven health-check sidecar. The entry point: holds
 * signals from its first line, then loads the platform and the command line
 * (`src/cli/`), runs it, and exits with its code. Run it as
 * `deno run -A main.ts serve --config config.example.yaml` or `bun main.ts check`.
 *
 * @module
 */

import { holdSignals } from "./src/cli/signals.ts";
import { earlyRuntime } from "./src/platform/early.ts";

if (import.meta.main) {
  // Before anything else loads: a signal during start-up must not kill vitals.
  const runtime = earlyRuntime();
  const signals = holdSignals(runtime);
  try {
    const { detectPlatform } = await import("./src/platform/mod.ts");
    const { runCli } = await import("./src/cli/run.ts");
    const platform = detectPlatform();
    platform.exit(await runCli(platform.args(), platform, signals));
  } catch (error) {
    console.error(`vitals: internal error: ${error instanceof Error ? error.stack : error}`);
    runtime.exit(1);
  }
}
