/**
 * TLS for the checks that speak it (http, tabbyapi, tcp): a check's `tls`
 * settings as the platform takes them, the verdict on the server
 * certificate's expiry (`certificate.warnBefore`, `downBefore`), and
 * {@link withTls}, which sends an http or tabbyapi check's requests with its
 * TLS settings and adds that verdict to its outcome.
 *
 * @module
 */

import type { Clock } from "../clock.ts";
import { formatDuration } from "../config/duration.ts";
import type { TlsSettings } from "../config/tls_files.ts";
import type { Platform, TlsOptions, TlsPeer } from "../platform/platform.ts";
import { plural } from "../text.ts";
import type { Status } from "../types.ts";
import { down, type Inspect, type Outcome, up, warn } from "./check.ts";

/** A check's `certificate` windows, in ms. */
export interface CertificateWindow {
  readonly warnBefore: number;
  readonly downBefore: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The platform's TLS options for a check's settings.
 *
 * @throws {Error} when the settings name files the config loader has not read
 */
export function tlsOptionsOf(tls: TlsSettings | undefined): TlsOptions {
  if (tls === undefined) return {};
  const pem = tls.pem ?? {};
  for (const key of ["ca", "cert", "key"] as const) {
    if (tls[key] !== undefined && pem[key] === undefined) {
      throw new Error(
        `Cannot use tls.${key} ${JSON.stringify(tls[key])}: the file was not read with the config`,
      );
    }
  }
  return {
    ca: pem.ca,
    cert: pem.cert,
    key: pem.key,
    serverName: tls.serverName,
    insecureSkipVerify: tls.insecureSkipVerify,
  };
}

/** `5 days`, `1 day`, `20 hours` or, under an hour, `12m30s`. */
function span(ms: number): string {
  if (ms >= DAY_MS) return plural(Math.round(ms / DAY_MS), "day");
  if (ms >= HOUR_MS) return plural(Math.round(ms / HOUR_MS), "hour");
  return formatDuration(ms);
}

/**
 * The verdict on a server certificate's expiry, seen at `now`: DOWN once it
 * expired or within `downBefore`, WARN within `warnBefore`, else UP. `name`
 * is the host the certificate was asked for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { certificateOutcome } from "./_tls.ts";
 * const now = new Date("2026-12-02T10:00:00Z");
 * const peer = { protocol: "TLSv1.3", expiresAt: Date.parse("2026-12-07T10:00:00Z") };
 * const window = { warnBefore: 14 * 86_400_000, downBefore: 0 };
 * assert.deepEqual(certificateOutcome(peer, window, "127.0.0.1", now), {
 *   status: "WARN",
 *   message: "certificate of 127.0.0.1 expires 2026-12-07T10:00:00Z, in 5 days, within warnBefore 14d",
 * });
 * ```
 */
export function certificateOutcome(
  peer: TlsPeer,
  window: CertificateWindow,
  name: string,
  now: Date,
): Outcome {
  const subject = `certificate of ${name}`;
  if (peer.expiresAt === undefined) {
    return warn(`${subject}: its expiry date could not be read`);
  }
  const date = new Date(peer.expiresAt).toISOString().replace(/\.\d{3}Z$/, "Z");
  const left = peer.expiresAt - now.getTime();
  if (left <= 0) return down(`${subject} expired ${date}, ${span(-left)} ago`);
  const expires = `${subject} expires ${date}, in ${span(left)}`;
  const shown = (ms: number) => formatDuration(ms, { days: true });
  if (left <= window.downBefore) {
    return down(`${expires}, within downBefore ${shown(window.downBefore)}`);
  }
  if (left <= window.warnBefore) {
    return warn(`${expires}, within warnBefore ${shown(window.warnBefore)}`);
  }
  return up(expires);
}

const RANK: Record<Status, number> = { UP: 0, WARN: 1, DOWN: 2 };

/**
 * A check's outcome with the certificate's verdict added: the worse status,
 * the message of the worse first; a certificate that is fine is mentioned
 * only when the check is UP.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withCertificate } from "./_tls.ts";
 * import { up, warn } from "./check.ts";
 * assert.deepEqual(
 *   withCertificate(up("HTTP 200"), warn("certificate of a expires soon")),
 *   warn("certificate of a expires soon; HTTP 200"),
 * );
 * ```
 */
export function withCertificate(outcome: Outcome, certificate: Outcome): Outcome {
  if (RANK[certificate.status] > RANK[outcome.status]) {
    return { status: certificate.status, message: `${certificate.message}; ${outcome.message}` };
  }
  if (certificate.status === "UP" && outcome.status !== "UP") return outcome;
  return { status: outcome.status, message: `${outcome.message}; ${certificate.message}` };
}

/** What {@link withTls} needs of an http or tabbyapi check's config. */
export interface HttpsConfig {
  readonly url: string;
  readonly tls?: TlsSettings | undefined;
  readonly certificate?: CertificateWindow | undefined;
}

/**
 * An http or tabbyapi check's inspection with its TLS settings: `make` builds the
 * kind's inspection over a `fetch`. Without `tls` and `certificate` that is the
 * platform's `fetch`, and the inspection is `make`'s as it is. With them, each run
 * builds the inspection over `Platform.fetchTls` and, with `certificate`, adds the
 * verdict on the certificate that expires soonest of those the run saw.
 *
 * @example
 * ```ts ignore
 * const inspect = withTls(config, platform, clock, (send) => httpInspect(config, send));
 * ```
 */
export function withTls(
  config: HttpsConfig,
  platform: Pick<Platform, "fetch" | "fetchTls">,
  clock: Clock,
  make: (send: Pick<Platform, "fetch">) => Inspect,
): Inspect {
  if (config.tls === undefined && config.certificate === undefined) return make(platform);
  const { tls, certificate } = config;
  const name = tls?.serverName ?? new URL(config.url).hostname.replace(/^\[(.*)\]$/, "$1");
  return async (signal) => {
    const options = tlsOptionsOf(tls);
    let peer: TlsPeer | undefined;
    const send = async (url: string, init: RequestInit) => {
      const sent = await platform.fetchTls(url, init, options);
      const soonest = peer?.expiresAt ?? Infinity;
      if (peer === undefined || (sent.peer.expiresAt ?? Infinity) < soonest) peer = sent.peer;
      return sent.response;
    };
    const outcome = await make({ fetch: send })(signal);
    if (certificate === undefined || peer === undefined) return outcome;
    return withCertificate(outcome, certificateOutcome(peer, certificate, name, clock.date()));
  };
}
