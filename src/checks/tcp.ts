/**
 * The `tcp` check: connects, then closes at once, as kubelet's `tcpSocket`
 * probe does. Connected is UP; refused, unreachable or unresolvable is DOWN.
 *
 * @module
 */

import { hostPort } from "../text.ts";
import { type Platform } from "../platform/platform.ts";
import { down, type Probe, up } from "./check.ts";
import type { CheckConfigOf } from "../config/resolve.ts";
import { PlatformError } from "../platform/platform_error.ts";

/**
 * Creates the probe for a tcp check.
 *
 * @example
 * ```ts ignore
 * const probe = tcpProbe({ ...config, host: "127.0.0.1", port: 6379 }, platform);
 * await probe(signal); // { status: "DOWN", message: "cannot connect to 127.0.0.1:6379: connection refused" }
 * ```
 */
export function tcpProbe(config: CheckConfigOf<"tcp">, platform: Platform): Probe {
  const target = hostPort(config.host, config.port);
  // Strip brackets so "[::1]" in the config reaches the runtime as "::1".
  const host = config.host.replace(/^\[(.*)\]$/, "$1");
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
