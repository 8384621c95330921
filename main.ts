/**
 * vitals: a config-driven health-check sidecar.
 *
 * The entry point: parses the command line, loads the config, wires the app
 * together and serves. Exit codes: 0 ok, 1 DOWN or runtime failure, 2 usage or
 * config error.
 *
 * @example
 * ```sh
 * deno run -A main.ts serve --config config.example.yaml
 * bun main.ts check --config vitals.yaml --json
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { createApp } from "./src/app.ts";
import { ConfigError } from "./src/config/error.ts";
import { loadConfig } from "./src/config/load.ts";
import { configJsonSchema } from "./src/config/schema.ts";
import { hostPort, plural } from "./src/format.ts";
import {
  createLogger,
  type LogFormat,
  type Logger,
  type LogLevelOption,
  silentLogger,
} from "./src/log.ts";
import {
  detectPlatform,
  type Platform,
  PlatformError,
  type SignalName,
} from "./src/platform/mod.ts";
import { createReloader } from "./src/reload.ts";
import { formatTable } from "./src/report.ts";
import { parseDuration } from "./src/duration.ts";
import type { HealthStatus } from "./src/health.ts";
import { fullBody } from "./src/formats.ts";
import { type Command, isCommand, USAGE } from "./src/usage.ts";
import { VERSION } from "./src/version.ts";

/** How long in-flight requests may take to finish on shutdown. */
const SHUTDOWN_GRACE_MS = 5_000;

/** A mistake on the command line: reported with a hint, exit code 2. */
class UsageError extends Error {
  constructor(message: string, readonly command: Command | "main") {
    super(message);
    this.name = "UsageError";
  }
}

const OPTIONS = {
  serve: {
    config: { type: "string", short: "c" },
    host: { type: "string" },
    port: { type: "string" },
    watch: { type: "boolean" },
    "log-format": { type: "string" },
    "log-level": { type: "string" },
  },
  check: {
    config: { type: "string", short: "c" },
    json: { type: "boolean" },
    wait: { type: "string" },
  },
  validate: { config: { type: "string", short: "c" } },
  schema: {},
} as const;

const COMMON = {
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
} as const;

type Flags = {
  config?: string;
  host?: string;
  port?: string;
  json?: boolean;
  watch?: boolean;
  wait?: string;
  "log-format"?: string;
  "log-level"?: string;
  help?: boolean;
  version?: boolean;
};

function parse(command: Command, args: string[]): Flags {
  try {
    const { values } = parseArgs({
      args,
      options: { ...COMMON, ...OPTIONS[command] },
      allowPositionals: false,
      strict: true,
    });
    return values as Flags;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), command);
  }
}

function parsePort(value: string, source: string, command: Command): number {
  const port = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new UsageError(
      `Invalid ${source} "${value}": expected an integer from 0 to 65535`,
      command,
    );
  }
  return port;
}

/** The logger `serve` asked for: JSON lines unless standard error is a terminal. */
function loggerFor(flags: Flags, platform: Platform): Logger {
  const format = flags["log-format"] ?? (platform.stderrIsTerminal() ? "text" : "json");
  if (format !== "text" && format !== "json") {
    throw new UsageError(`Invalid --log-format "${format}": expected text or json`, "serve");
  }
  const level = flags["log-level"] ?? "info";
  if (level !== "quiet" && level !== "info" && level !== "debug") {
    throw new UsageError(`Invalid --log-level "${level}": expected quiet, info or debug`, "serve");
  }
  return createLogger({ format: format as LogFormat, level: level as LogLevelOption });
}

function configPath(flags: Flags, platform: Platform): string {
  return flags.config ?? platform.env()["VITALS_CONFIG"] ?? "vitals.yaml";
}

/** Waits for the first of `signals`, then calls `again` on any later one. */
function nextSignal(
  platform: Platform,
  signals: SignalName[],
  again: () => void,
): Promise<SignalName> {
  return new Promise((resolve) => {
    let received = false;
    for (const name of signals) {
      platform.onSignal(name, () => {
        if (received) return again();
        received = true;
        resolve(name);
      });
    }
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function serve(flags: Flags, platform: Platform): Promise<number> {
  const log = loggerFor(flags, platform);
  const file = configPath(flags, platform);
  const env = platform.env();
  // Flags and environment override the file; check them before reading it.
  const portText = flags.port ?? env["VITALS_PORT"];
  const source = flags.port !== undefined ? "--port" : "VITALS_PORT";
  const portOverride = portText === undefined ? undefined : parsePort(portText, source, "serve");
  const config = await loadConfig(file, platform);
  const host = flags.host ?? env["VITALS_HOST"] ?? config.server.host;
  const port = portOverride ?? config.server.port;
  const app = createApp(config, { platform, log });
  let server;
  try {
    server = await platform.serve({ hostname: host, port, handler: app.handler });
  } catch (error) {
    const reason = error instanceof PlatformError ? error.reason : String(error);
    log.error(`Cannot listen on ${hostPort(host, port)}: ${reason}`);
    return 1;
  }
  log.info(
    `vitals ${VERSION} listening on http://${hostPort(server.hostname, server.port)} ` +
      `(config "${file}", ${plural(config.checks.length, "check")}, ` +
      `${platform.runtime} ${platform.version})`,
  );
  const reloader = createReloader({
    file,
    app,
    platform,
    log,
    listen: { host: flags.host ?? env["VITALS_HOST"], port: portOverride },
  });
  // Handlers first: a signal that arrived before them would take its default
  // action and kill vitals, leaving the check processes it just started behind.
  platform.onSignal("SIGHUP", () => void reloader.reload("SIGHUP"));
  const stopSignal = nextSignal(platform, ["SIGTERM", "SIGINT"], () => {
    log.warn("second signal: exiting at once");
    platform.exit(1);
  });
  // Run the checks now, so the first probe is answered from a warm cache.
  void app.health.start();
  const stopWatching = flags.watch ? reloader.watch() : undefined;
  const signal = await stopSignal;
  stopWatching?.();
  // Readiness fails first, so endpoints stop sending traffic before the port closes.
  app.health.drain();
  const drainDelay = app.config.server.drainDelay;
  if (drainDelay > 0) {
    log.info(
      `${signal} received: readiness is DOWN; stopping in ${drainDelay} ms (server.drainDelay)`,
    );
    await sleep(drainDelay);
  }
  log.info(
    `${signal} received: finishing in-flight requests (at most ${SHUTDOWN_GRACE_MS / 1000} s)`,
  );
  await server.shutdown(SHUTDOWN_GRACE_MS);
  app.health.close();
  log.info("stopped");
  return 0;
}

/** How often `check --wait` re-runs the checks. */
const WAIT_POLL_MS = 1_000;

async function check(flags: Flags, platform: Platform): Promise<number> {
  const wait = flags.wait === undefined ? 0 : parseDuration(flags.wait);
  if (wait === undefined) {
    throw new UsageError(
      `Invalid --wait "${flags.wait}": expected a duration such as 30s, 2m or 1500ms`,
      "check",
    );
  }
  const config = await loadConfig(configPath(flags, platform), platform);
  const app = createApp(config, { platform, log: silentLogger });
  const deadline = performance.now() + wait;
  let status: HealthStatus = await app.health.evaluate(true);
  while (status.status !== "UP" && performance.now() < deadline) {
    const pause = Math.min(WAIT_POLL_MS, deadline - performance.now());
    console.error(
      `vitals: DOWN (${status.details.join("; ")}); ` +
        `retrying for ${Math.ceil((deadline - performance.now()) / 1000)} s more`,
    );
    await sleep(pause);
    status = await app.health.evaluate(true);
  }
  app.health.close();
  console.log(flags.json ? fullBody(status) : formatTable(status));
  return status.status === "UP" ? 0 : 1;
}

async function validate(flags: Flags, platform: Platform): Promise<number> {
  const file = configPath(flags, platform);
  const config = await loadConfig(file, platform);
  console.log(`config OK: ${plural(config.checks.length, "check")} in "${file}"`);
  return 0;
}

/**
 * Runs the command line and returns the exit code.
 *
 * @example
 * ```ts
 * const code = await main(["validate", "--config", "vitals.yaml"], detectPlatform());
 * ```
 */
export async function main(args: string[], platform: Platform): Promise<number> {
  const first = args[0];
  const named = first !== undefined && !first.startsWith("-");
  if (named && !isCommand(first)) {
    console.error(`vitals: unknown command "${first}"\n\n${USAGE.main}`);
    return 2;
  }
  const command: Command = named ? first as Command : "serve";
  try {
    const flags = parse(command, named ? args.slice(1) : args);
    if (flags.version) {
      console.log(`vitals ${VERSION} (${platform.runtime} ${platform.version})`);
      return 0;
    }
    if (flags.help) {
      console.log(named ? USAGE[command] : USAGE.main);
      return 0;
    }
    switch (command) {
      case "serve":
        return await serve(flags, platform);
      case "check":
        return await check(flags, platform);
      case "validate":
        return await validate(flags, platform);
      case "schema":
        console.log(JSON.stringify(configJsonSchema(), null, 2));
        return 0;
    }
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(
        `vitals: ${error.message}\nRun "vitals ${
          error.command === "main" ? "" : `${error.command} `
        }--help" for usage.`,
      );
      return 2;
    }
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
}

if (import.meta.main) {
  const platform = detectPlatform();
  try {
    platform.exit(await main(platform.args(), platform));
  } catch (error) {
    console.error(`vitals: internal error: ${error instanceof Error ? error.stack : error}`);
    platform.exit(1);
  }
}
