/**
 * `vitals serve`: loads the config, listens, runs the checks, reloads on
 * SIGHUP or `--watch`, and shuts down in order on SIGTERM or SIGINT. From
 * its first step to its last, the guard (`app/guard.ts`) takes every
 * uncaught error: logged and counted, never the end of the process.
 *
 * @module
 */

import { createApp } from "../app/create_app.ts";
import { keepMaintenanceFile } from "../app/maintenance_file.ts";
import { configSecrets, createGuard, type Guard } from "../app/guard.ts";
import { createReloader } from "../app/reloader.ts";
import { keepTlsFresh, type TlsKeeper, type TlsPort } from "../app/server_tls.ts";
import { serverTlsOf } from "../config/tls_files.ts";
import { loadConfigAside } from "../config/load_aside.ts";
import { InternalErrorCounter } from "../http/metrics.ts";
import { createLogger, type Logger } from "../log.ts";
import { type Platform, PlatformError, type RunningServer } from "../platform/mod.ts";
import { hostPort, plural } from "../text.ts";
import { VERSION } from "../version.ts";
import { configMissingHint, configPath, type Flags, stringFlag, UsageError } from "./flags.ts";
import { nextSignal, shutdown } from "./shutdown.ts";

/** Reads a port from a flag or the environment; `source` names it in the error. */
function parsePort(value: string, source: string): number {
  const port = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new UsageError(
      `Invalid ${source} "${value}": expected an integer from 0 to 65535`,
      "serve",
    );
  }
  return port;
}

/** The logger `serve` asked for: JSON lines unless standard error is a terminal. */
function loggerFor(flags: Flags, platform: Platform): Logger {
  const format = stringFlag(flags, "log-format") ?? (platform.stderrIsTerminal() ? "text" : "json");
  if (format !== "text" && format !== "json") {
    throw new UsageError(`Invalid --log-format "${format}": expected text or json`, "serve");
  }
  const level = stringFlag(flags, "log-level") ?? "info";
  if (level !== "quiet" && level !== "info" && level !== "debug") {
    throw new UsageError(`Invalid --log-level "${level}": expected quiet, info or debug`, "serve");
  }
  return createLogger({ format, level });
}

/**
 * Serves until a stop signal; returns the exit code.
 *
 * @example
 * ```ts ignore
 * const code = await serveCommand({ config: "vitals.yaml", port: "0" }, detectPlatform());
 * ```
 */
export async function serveCommand(
  flags: Flags,
  platform: Platform,
  signals: Pick<Platform, "onSignal"> = platform,
): Promise<number> {
  const log = loggerFor(flags, platform);
  // Before the config loads and the server listens: a health sidecar that
  // exits fails its app's probes, so no uncaught error may end `serve`.
  const internalErrors = new InternalErrorCounter();
  const guard = createGuard({ log, counter: internalErrors });
  const unguard = platform.onUncaught((error, kind) => guard.report(error, kind));
  try {
    return await serveGuarded(flags, platform, signals, { log, guard, internalErrors });
  } finally {
    unguard();
    guard.close();
  }
}

/** {@link serveCommand} once the guard is in place. */
async function serveGuarded(
  flags: Flags,
  platform: Platform,
  signals: Pick<Platform, "onSignal">,
  { log, guard, internalErrors }: {
    log: Logger;
    guard: Guard;
    internalErrors: InternalErrorCounter;
  },
): Promise<number> {
  const file = configPath(flags, platform.env());
  const env = platform.env();
  // Flags and environment override the file; check them before reading it.
  const portFlag = stringFlag(flags, "port");
  const portText = portFlag ?? env["VITALS_PORT"];
  const source = portFlag !== undefined ? "--port" : "VITALS_PORT";
  const portOverride = portText === undefined ? undefined : parsePort(portText, source);
  const hostOverride = stringFlag(flags, "host") ?? env["VITALS_HOST"];
  const { config, text } = await loadConfigAside(
    file,
    platform,
    undefined,
    configMissingHint(flags, env),
  );
  const host = hostOverride ?? config.server.host;
  const port = portOverride ?? config.server.port;
  // /metrics reads the TLS ports from the keeper, which starts once the servers listen.
  let keeper: TlsKeeper | undefined = undefined;
  const tlsMetrics = () => keeper?.metrics() ?? [];
  const app = createApp(config, { platform, log, internalErrors, tls: tlsMetrics });
  const maintenanceFile = () => app.config.server.maintenanceFile;
  await keepMaintenanceFile(app.health.maintenance, { platform, log, path: maintenanceFile });
  guard.maskWith(() => configSecrets(app.config));
  // Each TLS port's pair is checked before anything listens: a key that does not match ends here.
  const tls = config.server.tls && serverTlsOf(config.server.tls);
  const grpcTls = config.server.grpc?.tls && serverTlsOf(config.server.grpc.tls);
  let certificates;
  try {
    certificates = {
      http: tls && platform.checkServerTls(tls),
      grpc: grpcTls && platform.checkServerTls(grpcTls),
    };
  } catch (error) {
    log.error(`Cannot serve TLS: ${error instanceof Error ? error.message : error}`);
    return 1;
  }
  let server;
  try {
    server = await platform.serve({ hostname: host, port, handler: app.handler, tls });
  } catch (error) {
    const reason = error instanceof PlatformError ? error.reason : String(error);
    log.error(`Cannot listen on ${hostPort(host, port)}: ${reason}`);
    return 1;
  }
  const scheme = tls ? "https" : "http";
  log.info(
    `vitals ${VERSION} listening on ${scheme}://${hostPort(server.hostname, server.port)} ` +
      `(config "${file}", ${plural(config.checks.length, "check")}, ` +
      `${platform.runtime} ${platform.version})`,
  );
  let grpc: RunningServer | undefined;
  if (config.server.grpc) {
    // Loaded only when configured: HTTP/2 stays off every other start-up.
    const { pollIntervalFor, serveGrpcHealth } = await import("../grpc/server/health_server.ts");
    const grpcPort = config.server.grpc.port;
    try {
      grpc = await serveGrpcHealth({
        hostname: host,
        port: grpcPort,
        health: app.health,
        pollInterval: () => pollIntervalFor(app.health.settings.ttl),
        onError: (error) => log.error(`gRPC call failed: ${String(error)}`),
        platform,
        tls: grpcTls,
      });
    } catch (error) {
      const reason = error instanceof PlatformError ? error.reason : String(error);
      log.error(`Cannot listen on ${hostPort(host, grpcPort)}: ${reason}`);
      await server.shutdown(0);
      return 1;
    }
    log.info(
      `serving grpc.health.v1 on ${hostPort(grpc.hostname, grpc.port)} (${grpcTls ? "h2" : "h2c"})`,
    );
  }
  const tlsPorts: TlsPort[] = [];
  if (certificates.http) {
    const settings = () => app.config.server.tls;
    const certificate = certificates.http;
    tlsPorts.push({ label: "HTTP", name: "http", server, settings, certificate });
  }
  if (grpc && certificates.grpc) {
    const settings = () => app.config.server.grpc?.tls;
    const certificate = certificates.grpc;
    tlsPorts.push({ label: "gRPC", name: "grpc", server: grpc, settings, certificate });
  }
  keeper = tlsPorts.length > 0 ? keepTlsFresh(tlsPorts, { platform, log }) : undefined;
  const reloader = createReloader({
    file,
    app,
    platform,
    log,
    listen: { host: hostOverride, port: portOverride },
    text,
  });
  // Handlers before the first check runs. Signals that arrived earlier were
  // held (see signals.ts) and are delivered now.
  // The TLS files are read again after the config, whose paths may have changed.
  signals.onSignal(
    "SIGHUP",
    () => void reloader.reload("SIGHUP").then(() => keeper?.refresh("SIGHUP")),
  );
  const stopSignal = nextSignal(signals, ["SIGTERM", "SIGINT"], () => {
    log.warn("second signal: exiting at once, stopping the running checks");
    // Aborting kills every running check's processes before this returns.
    app.health.close();
    platform.exit(1);
  });
  // Run the checks now, so the first probe is answered from a warm cache.
  // Not awaited, so never left to reject unhandled: that would end the process.
  app.health.start().catch((error) =>
    log.error(`The first evaluation failed: ${error instanceof Error ? error.message : error}`)
  );
  const stopWatching = flags.watch === true ? reloader.watch() : undefined;
  const signal = await stopSignal;
  stopWatching?.();
  keeper?.stop();
  const servers = grpc ? [server, grpc] : [server];
  await shutdown(signal, {
    health: app.health,
    // The HTTP and gRPC ports close together, after the drain.
    server: {
      shutdown: async (grace) => void await Promise.all(servers.map((s) => s.shutdown(grace))),
    },
    drainDelay: app.config.server.drainDelay,
    log,
  });
  return 0;
}
