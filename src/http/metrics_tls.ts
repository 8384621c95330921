/**
 * The metric families of vitals' own TLS ports (`server.tls`, `server.grpc.tls`)
 * on `/metrics`: when the certificate each port serves expires, and how many
 * new pairs of files the port could not use. They are what an operator
 * watches to see a failed rotation coming before the certificate in use
 * expires and every verifying client (Prometheus among them) is refused.
 *
 * The facts are the TLS keeper's (`src/app/server_tls.ts`); `/metrics` reads
 * them through a {@link TlsPortsSource} at each scrape and keeps nothing.
 *
 * @module
 */

/** What one port serving TLS reports. */
export interface TlsPortMetrics {
  /** The `port` label: `http` (server.tls) or `grpc` (server.grpc.tls). */
  readonly port: string;
  /** notAfter of the certificate the port serves now, ms since the Unix epoch. */
  readonly notAfterMs: number;
  /** New files that could not be used, counted once per distinct content, as they are logged. */
  readonly reloadFailures: number;
  /** Whether the files as they are now cannot be used (the served pair is an older one). */
  readonly unusable: boolean;
}

/** Where `/metrics` reads the ports serving TLS, at each scrape; none when no port does. */
export type TlsPortsSource = () => readonly TlsPortMetrics[];

/** One family to write: name, type, HELP text and samples. */
export interface TlsFamily {
  readonly name: string;
  readonly type: "gauge" | "counter";
  readonly help: string;
  readonly samples: [Record<string, string>, number][];
}

/**
 * The TLS families for `ports`; none when no port serves TLS.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tlsFamilies } from "./metrics_tls.ts";
 * assert.deepEqual(tlsFamilies([]), []);
 * const [expiry] = tlsFamilies([{ port: "http", notAfterMs: 1_800_000_000_000, reloadFailures: 0, unusable: false }]);
 * assert.deepEqual(expiry?.samples, [[{ port: "http" }, 1_800_000_000]]);
 * ```
 */
export function tlsFamilies(ports: readonly TlsPortMetrics[]): TlsFamily[] {
  if (ports.length === 0) return [];
  return [
    {
      name: "vitals_tls_certificate_expiry_timestamp_seconds",
      type: "gauge",
      help: "When the certificate the port serves expires (notAfter, Unix time).",
      samples: ports.map(({ port, notAfterMs }) => [{ port }, notAfterMs / 1000]),
    },
    {
      name: "vitals_tls_reload_failures_total",
      type: "counter",
      help: "New certificate files the port could not use (counted once per distinct content).",
      samples: ports.map(({ port, reloadFailures }) => [{ port }, reloadFailures]),
    },
    {
      name: "vitals_tls_files_unusable",
      type: "gauge",
      help: "1 while the port's certificate files cannot be used and an older pair is served.",
      samples: ports.map(({ port, unusable }) => [{ port }, unusable ? 1 : 0]),
    },
  ];
}
