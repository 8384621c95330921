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
  const internalError = (error: unknown): never => {
    try {
      console.error(`vitals: internal error: ${error instanceof Error ? error.stack : error}`);
    } catch {
      // Standard error is gone: the exit code alone tells.
    }
    return runtime.exit(1);
  };
  try {
    const { detectPlatform } = await import("./src/platform/mod.ts");
    const platform = detectPlatform();
    // An error nothing caught ends a command with this message, not the
    // runtime's; `serve` puts its guard in front of it while it serves.
    platform.onUncaught(internalError);
    const { runCli } = await import("./src/cli/run.ts");
    platform.exit(await runCli(platform.args(), platform, signals));
  } catch (error) {
    internalError(error);
  }
}
