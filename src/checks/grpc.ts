/**
 * The `grpc` check: calls `grpc.health.v1.Health/Check` for one service name
 * over HTTP/2, as kubelet's `grpc:` probe does (cleartext unless `tls` is
 * set). SERVING is UP; NOT_SERVING, any other serving status, a gRPC error
 * status (NOT_FOUND for a service the server does not know, UNIMPLEMENTED
 * for a server without the health service, ...) and a failed connection are
 * DOWN with the reason. Each run opens and closes its own connection.
 *
 * @module
 */

import type { CheckConfigOf } from "../config/resolve.ts";
import { grpcCodeName } from "../grpc/wire/frame.ts";
import { SERVING_STATUS, servingStatusName } from "../grpc/wire/proto.ts";
import { callHealthCheck } from "../grpc/client/health_client.ts";
import type { Platform } from "../platform/platform.ts";
import { escapeControl, hostPort } from "../text.ts";
import { down, type Inspect, up } from "./check.ts";
import { tlsOptionsOf } from "./_tls.ts";

/**
 * Creates the inspection for a grpc check.
 *
 * @example
 * ```ts ignore
 * const inspect = grpcInspect({ ...config, host: "127.0.0.1", port: 50051, service: "" }, platform);
 * await inspect(signal); // { status: "UP", message: "SERVING" }
 * ```
 */
export function grpcInspect(
  config: CheckConfigOf<"grpc">,
  platform: Pick<Platform, "http2">,
): Inspect {
  // Strip brackets so "[::1]" in the config reaches the runtime as "::1".
  const host = config.host.replace(/^\[(.*)\]$/, "$1");
  const target = hostPort(host, config.port);
  const service = config.service === "" ? "" : ` for service ${JSON.stringify(config.service)}`;
  return async (signal) => {
    let result;
    try {
      result = await callHealthCheck({
        host,
        port: config.port,
        service: config.service,
        // Read per run: settings whose files were not read throw, and the run is DOWN.
        tls: config.tls === undefined ? undefined : tlsOptionsOf(config.tls),
        metadata: config.metadata,
        signal,
        platform,
      });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      const reason = error instanceof Error ? error.message : String(error);
      return down(`gRPC health check of ${target} failed: ${reason}`);
    }
    if (result.kind === "error") {
      const message = result.message === "" ? "" : `: ${escapeControl(result.message)}`;
      return down(`${grpcCodeName(result.code)}${message}${service}`);
    }
    const name = servingStatusName(result.status);
    return result.status === SERVING_STATUS.SERVING ? up(name) : down(`${name}${service}`);
  };
}
