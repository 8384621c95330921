/**
 * Real apps (config, checks, Health, handler) built from config text, as
 * `vitals serve` builds them: from any YAML (`appOf`), over one command check
 * that is UP (`createTestApp`), or over a check the test turns UP and DOWN
 * with a flag file (`flippable`).
 *
 * @module
 */

import { rm, writeFile } from "node:fs/promises";
import { type App, createApp } from "../../src/app/create_app.ts";
import { parseConfig } from "../../src/config/load.ts";
import { createLogger, type Logger, silentLogger } from "../../src/log.ts";
import { tempDir } from "./files.ts";
import { platform } from "./platform.ts";

/** Builds the app from config text, as `vitals serve` does. */
export function appOf(
  yaml: string,
  log: Logger = silentLogger,
  env: Record<string, string> = {},
): App {
  return createApp(parseConfig(yaml, "t.yaml", env), { platform, log });
}

/** A real app over one command check that is UP (`true`), with `server` (a `server:` section) prepended. */
export function createTestApp(server = ""): App {
  return appOf(
    `${server}cache: {ttl: 30s}\nchecks:\n  - {name: ok, type: command, command: ["true"]}\n`,
  );
}

/**
 * An app (ttl 0, JSON logs collected in `lines`) with a critical command check
 * `gate` that is UP while a flag file exists (`open()` creates it, `close()`
 * removes it; it starts closed) and a non-critical command check `extra` (UP
 * unless `extraUp` is false). `server` is a `server:` section to prepend.
 */
export async function flippable(options: { extraUp?: boolean; server?: string } = {}) {
  const dir = await tempDir();
  const flag = `${dir}/flag`;
  const yaml = `${options.server ?? ""}cache:
  ttl: 0
checks:
  - name: gate
    type: command
    command: ["sh", "-c", "test -e ${flag} || { echo 'gate \\"closed\\"'; exit 3; }"]
  - name: extra
    type: command
    command: ["${options.extraUp === false ? "false" : "true"}"]
    critical: false
`;
  const lines: string[] = [];
  const log = createLogger({ format: "json", level: "info", write: (line) => lines.push(line) });
  const app = appOf(yaml, log);
  return {
    app,
    lines,
    open: () => writeFile(flag, ""),
    close: () => rm(flag, { force: true }),
  };
}
