/**
 * Keeps the certificates of vitals' TLS ports fresh: re-reads each port's
 * files every few seconds (and at once on SIGHUP) and, when they changed,
 * hands the new pair to the running server. New connections get it; open
 * ones keep theirs. A pair that cannot be used (a key that does not match, a
 * file caught half-written, a file gone) is logged once and the pair in use
 * stays: a rotation never takes the port down.
 *
 * Files are compared by content, not by modification time: a Kubernetes
 * Secret volume swaps a `..data` symlink, which leaves no trace in the
 * times of the paths vitals was given.
 *
 * The keeper is the one that knows what each port serves: `/metrics` reads it
 * ({@link TlsKeeper.metrics}): the certificate's expiry and the count of new
 * files it could not use.
 *
 * @module
 */

import { type Clock, systemClock } from "../clock.ts";
import { readServerTlsFiles, serverTlsOf, type ServerTlsSettings } from "../config/tls_files.ts";
import type { TlsPortMetrics } from "../http/metrics_tls.ts";
import type { Logger } from "../log.ts";
import type { Platform, RunningServer, ServerCertificate } from "../platform/platform.ts";

/** How often the files are read: a rotated pair is in use within this (plus a read). */
export const TLS_POLL_MS = 2000;

/** Describes a certificate for the log: its serial, subject and expiry. */
export function describeCertificate(certificate: ServerCertificate): string {
  return `serial ${certificate.serial}, "${certificate.subject}", expires ${
    new Date(certificate.notAfterMs).toISOString()
  }`;
}

/** One TLS port to keep fresh. */
export interface TlsPort {
  /** Names the port in log lines: `HTTP`, `gRPC`. */
  readonly label: string;
  /** Names the port in `/metrics` (the `port` label): `http`, `grpc`. */
  readonly name: string;
  readonly server: RunningServer;
  /** The port's settings in the config in force (it changes on reload); unset: TLS is off. */
  settings(): ServerTlsSettings | undefined;
  /** The certificate served since start-up. */
  readonly certificate: ServerCertificate;
}

/** Re-reads the ports' files until stopped. */
export interface TlsKeeper {
  /** Reads the files now (on SIGHUP) and applies a changed pair. */
  refresh(reason: string): Promise<void>;
  /** Each port: the expiry of the certificate it serves, and the new files it could not use. */
  metrics(): TlsPortMetrics[];
  stop(): void;
}

/** What a port's files said last, so a change is applied once and a failure logged once. */
interface Seen {
  text: string;
  certificate: ServerCertificate;
}

/**
 * Starts re-reading `ports`' files every {@link TLS_POLL_MS}.
 *
 * @example
 * ```ts ignore
 * const keeper = keepTlsFresh([{ label: "HTTP", name: "http", server, settings: () => app.config.server.tls, certificate }], { platform, log });
 * platform.onSignal("SIGHUP", () => void keeper.refresh("SIGHUP"));
 * ```
 */
export function keepTlsFresh(
  ports: readonly TlsPort[],
  deps: {
    platform: Pick<Platform, "readTextFile">;
    log: Logger;
    clock?: Clock;
    intervalMs?: number;
  },
): TlsKeeper {
  const clock = deps.clock ?? systemClock;
  const seen = new Map<TlsPort, Seen>();
  const failed = new Map<TlsPort, string>();
  const failures = new Map<TlsPort, number>();
  const files = { readTextFile: deps.platform.readTextFile.bind(deps.platform) };
  let stopped = false;
  let cancel = () => {};
  let queue: Promise<void> = Promise.resolve();
  // What is served since start-up: only a later change of the files is applied.
  for (const port of ports) {
    const settings = port.settings();
    if (settings?.pem) {
      seen.set(port, {
        text: JSON.stringify(serverTlsOf(settings)),
        certificate: port.certificate,
      });
    }
  }

  const fail = (port: TlsPort, key: string, message: string) => {
    if (failed.get(port) === key) return;
    failed.set(port, key);
    failures.set(port, (failures.get(port) ?? 0) + 1);
    const current = seen.get(port)?.certificate ?? port.certificate;
    deps.log.error(
      `Cannot use the new TLS files of the ${port.label} port, still serving ` +
        `${describeCertificate(current)}: ${message}`,
    );
  };

  const look = async (port: TlsPort, reason: string) => {
    const settings = port.settings();
    if (settings === undefined) return;
    // Read only: the pair is checked by setTls, once per change, not on every look.
    const read = await readServerTlsFiles(settings, files);
    if ("problems" in read) {
      const message = read.problems.map((p) => `${p.path.join(".")}: ${p.message}`).join("; ");
      return fail(port, message, message);
    }
    const tls = serverTlsOf({ ...settings, pem: read.pem });
    const text = JSON.stringify(tls);
    if (seen.get(port)?.text === text) {
      failed.delete(port);
      return;
    }
    if (failed.get(port) === text) return;
    try {
      const certificate = port.server.setTls!(tls);
      seen.set(port, { text, certificate });
      failed.delete(port);
      deps.log.info(
        `TLS certificate of the ${port.label} port reloaded (${reason}): ` +
          describeCertificate(certificate),
      );
    } catch (error) {
      fail(port, text, error instanceof Error ? error.message : String(error));
    }
  };

  /** Looks at every port in turn; never rejects. */
  const lookAll = (reason: string): Promise<void> => {
    const run = queue.then(async () => {
      for (const port of ports) {
        try {
          await look(port, reason);
        } catch (error) {
          deps.log.error(`Cannot re-read the TLS files of the ${port.label} port: ${error}`);
        }
      }
    });
    queue = run;
    return run;
  };

  const later = () => {
    if (stopped) return;
    cancel = clock.setTimer(deps.intervalMs ?? TLS_POLL_MS, () => {
      void lookAll("file change").then(later);
    });
  };
  later();

  return {
    refresh: (reason) => lookAll(reason),
    metrics: () =>
      ports.map((port) => ({
        port: port.name,
        notAfterMs: (seen.get(port)?.certificate ?? port.certificate).notAfterMs,
        reloadFailures: failures.get(port) ?? 0,
        unusable: failed.has(port),
      })),
    stop() {
      stopped = true;
      cancel();
    },
  };
}
