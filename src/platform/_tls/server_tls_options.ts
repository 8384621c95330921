/**
 * A {@link ServerTls} as `node:tls` server options, the same for the
 * HTTP/1.1 listener (`tls_listener.ts`) and the HTTP/2 server
 * (`secure_http2.ts`), and the one check `node:tls` cannot make itself:
 * under `clientAuth: "request"`, a client that presents a certificate that
 * does not verify is refused (verify if given), while one without a
 * certificate is let in.
 *
 * @module
 */

import type { TlsOptions, TLSSocket } from "node:tls";
import type { ServerTls } from "../platform.ts";

/** How a server treats client certificates: not asked for, verified if given, or required. */
export type ClientAuth = "none" | "request" | "require";

/**
 * The client authentication `tls` asks for: none without a client CA, else
 * `clientAuth`, `"require"` by default.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { clientAuthOf } from "./server_tls_options.ts";
 * assert.equal(clientAuthOf({ cert: "", key: "", minVersion: "TLSv1.2" }), "none");
 * assert.equal(clientAuthOf({ cert: "", key: "", clientCa: "", minVersion: "TLSv1.2" }), "require");
 * ```
 */
export function clientAuthOf(tls: ServerTls): ClientAuth {
  return tls.clientCa === undefined ? "none" : tls.clientAuth ?? "require";
}

/**
 * The `node:tls` options that serve `tls`: its certificate chain and key,
 * the lowest version, and the client CA with `requestCert` and
 * `rejectUnauthorized` as its client authentication says (`"request"` lets
 * any client finish the handshake; {@link refusesPeer} then closes those
 * whose certificate did not verify).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serverTlsOptions } from "./server_tls_options.ts";
 * const options = serverTlsOptions({ cert: "c", key: "k", clientCa: "ca", clientAuth: "request", minVersion: "TLSv1.3" });
 * assert.deepEqual([options.requestCert, options.rejectUnauthorized], [true, false]);
 * ```
 */
export function serverTlsOptions(tls: ServerTls): TlsOptions {
  const auth = clientAuthOf(tls);
  return {
    cert: tls.cert,
    key: tls.key,
    minVersion: tls.minVersion,
    ...(tls.clientCa === undefined ? {} : { ca: tls.clientCa }),
    requestCert: auth !== "none",
    rejectUnauthorized: auth === "require",
  };
}

/**
 * Whether `socket`, whose handshake just completed on a server with client
 * authentication `auth`, must be closed: its client presented a certificate
 * that did not verify (under `"request"`), or, as a second line behind
 * `node:tls`, presented none or a bad one under `"require"`.
 */
export function refusesPeer(socket: TLSSocket, auth: ClientAuth): boolean {
  if (auth === "none" || socket.authorized) return false;
  if (auth === "require") return true;
  const presented = socket.getPeerCertificate();
  return presented !== null && typeof presented === "object" && Object.keys(presented).length > 0;
}
