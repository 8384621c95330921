/**
 * The `tcp` check: connects, then closes at once, as kubelet's `tcpSocket`
 * probe does. Connected is UP; refused, unreachable or unresolvable is DOWN.
 * With `tls`, it also completes a TLS handshake before closing, and is UP
 * only if that succeeds and, under TLS 1.3, the server does not refuse the
 * client right after it (a server that requires a client certificate says so
 * only then); with `certificate`, it judges the certificate's expiry.
 *
 * @module
 */

import { type Clock, systemClock } from "../clock.ts";
import { hostPort } from "../text.ts";
import { type Platform, type TlsPeer } from "../platform/platform.ts";
import { down, type Inspect, up } from "./check.ts";
import type { CheckConfigOf } from "../config/resolve.ts";
import { PlatformError } from "../platform/platform_error.ts";
import { certificateOutcome, tlsOptionsOf, withCertificate } from "./_tls.ts";

/**
 * Creates the inspection for a tcp check.
 *
 * @example
 * ```ts ignore
 * const inspect = tcpInspect({ ...config, host: "127.0.0.1", port: 6379 }, platform);
 * await inspect(signal); // { status: "DOWN", message: "cannot connect to 127.0.0.1:6379: connection refused" }
 * ```
 */
export function tcpInspect(
  config: CheckConfigOf<"tcp">,
  platform: Platform,
  clock: Clock = systemClock,
): Inspect {
  const target = hostPort(config.host, config.port);
  // Strip brackets so "[::1]" in the config reaches the runtime as "::1".
  const host = config.host.replace(/^\[(.*)\]$/, "$1");
  if (config.tls !== undefined) return handshakeInspect(config, platform, clock, host, target);
  return async (signal) => {
    try {
      await platform.connect(host, config.port, signal);
      return up(`connected to ${target}`);
    } catch (error) {
      const reason = error instanceof PlatformError ? error.message : String(error);
      return down(`cannot connect to ${target}: ${reason}`);
    }
  };
}

/** A tcp check with `tls`: a TLS handshake after connecting, and the certificate's expiry. */
function handshakeInspect(
  config: CheckConfigOf<"tcp">,
  platform: Pick<Platform, "handshake">,
  clock: Clock,
  host: string,
  target: string,
): Inspect {
  const { tls, certificate } = config;
  const name = tls?.serverName ?? host;
  return async (signal) => {
    const options = {
      ...tlsOptionsOf(tls), // throws (the check fails) if the files were not read
      // A TLS 1.3 server refuses a client after the handshake; the platform waits
      // briefly for that verdict, never so long that the wait decides the check.
      maxVerdictWaitMs: config.timeout / 2,
    };
    let peer: TlsPeer;
    try {
      peer = await platform.handshake(host, config.port, signal, options);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (error instanceof PlatformError && error.code === "ETLS") {
        return down(`TLS handshake with ${target} failed: ${error.detail ?? error.reason}`);
      }
      const reason = error instanceof PlatformError ? error.message : String(error);
      return down(`cannot connect to ${target}: ${reason}`);
    }
    const outcome = up(`TLS handshake with ${target} ok (${peer.protocol})`);
    if (certificate === undefined) return outcome;
    return withCertificate(outcome, certificateOutcome(peer, certificate, name, clock.date()));
  };
}
