/**
 * TLS over `node:tls`, the same on Deno and Bun: a check's settings as
 * `node:tls` options, what a handshake showed of the server ({@link peerOf}),
 * and why one failed, in words that do not depend on the runtime
 * ({@link tlsFailure}). The tcp check's handshake is in `tls_handshake.ts`.
 *
 * Nothing here imports `node:tls` at run time (types only): only checks with
 * TLS settings load it, on first use (BENCHMARKS.md, "`vitals probe` start to
 * exit": Bun's bundler hoists a static `node:` import into every command).
 *
 * @module
 */

import type { ConnectionOptions, TLSSocket } from "node:tls";
import type { TlsOptions, TlsPeer } from "../platform.ts";
import { PlatformError } from "../platform_error.ts";

/**
 * The `node:tls` options for `tls`: only the settings given, so a check
 * without `ca` keeps the runtime's roots. Skipping verification needs no
 * roots: an empty list then keeps Deno from loading the system's, which
 * takes `--allow-sys=ca` (the compiled binary has `--allow-sys=hostname`).
 */
export function connectionOptions(tls: TlsOptions): ConnectionOptions {
  const roots = tls.insecureSkipVerify === true ? { ca: [] } : {};
  return {
    ...(tls.ca === undefined ? roots : { ca: tls.ca }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert }),
    ...(tls.key === undefined ? {} : { key: tls.key }),
    ...(tls.serverName === undefined ? {} : { servername: tls.serverName }),
    rejectUnauthorized: tls.insecureSkipVerify !== true,
  };
}

const MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec";

/**
 * Reads a certificate date as `node:tls` writes it (`Dec  7 10:00:00 2026 GMT`)
 * into ms since the Unix epoch; `undefined` when it is not one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { certificateDate } from "./tls.ts";
 * assert.equal(certificateDate("Dec  7 10:00:00 2026 GMT"), Date.UTC(2026, 11, 7, 10));
 * assert.equal(certificateDate("soon"), undefined);
 * ```
 */
export function certificateDate(text: unknown): number | undefined {
  if (typeof text !== "string") return undefined;
  const match = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4}) GMT$/.exec(
    text.trim(),
  );
  const month = match ? MONTHS.indexOf(match[1]!) / 3 : -1;
  if (!match || !Number.isInteger(month) || month < 0) return undefined;
  const [, , day, hours, minutes, seconds, year] = match.map(Number);
  return Date.UTC(year!, month, day!, hours!, minutes!, seconds!);
}

/** What the handshake on `socket` showed: the protocol and the certificate's expiry. */
export function peerOf(socket: TLSSocket): TlsPeer {
  const certificate = socket.getPeerCertificate() as { valid_to?: unknown } | null | undefined;
  return {
    protocol: socket.getProtocol() ?? "TLS",
    expiresAt: certificateDate(certificate?.valid_to),
  };
}

/** Codes of a certificate the client could not verify (OpenSSL's, which every runtime uses). */
const VERIFY_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE",
  "CERT_CHAIN_TOO_LONG",
  "INVALID_CA",
  "INVALID_PURPOSE",
  "HOSTNAME_MISMATCH",
]);

/**
 * The first line of a runtime's message; of an OpenSSL error string
 * (`error:0A00010B:SSL routines:ssl3_get_record:wrong version number`), its reason.
 */
function plainMessage(message: string): string {
  const line = message.split("\n")[0]?.trim() ?? "";
  const reason = /\berror:[0-9A-Fa-f]+:[^:]*:[^:]*:([^:]+)/.exec(line)?.[1];
  return reason ? reason.replace(/_/g, " ").toLowerCase() : line;
}

/**
 * Why a handshake failed, from a `node:tls` error; `undefined` when the error
 * is not about TLS. `sentCertificate`: whether the client had one to send.
 */
function describe(code: string, message: string, sentCertificate: boolean): string | undefined {
  if (VERIFY_CODES.has(code)) {
    return `certificate not trusted: ${message.replace(/self signed/g, "self-signed")}`;
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    // Node's wording, which Deno and Bun copy: "Host: x. is not in the cert's altnames: DNS:y".
    const names = /(?:Host|IP): (.+?)\.? is not in the cert's (?:altnames|list): (.+)$/.exec(
      message,
    );
    return names
      ? `certificate not valid for ${JSON.stringify(names[1])} (it names ${names[2]})`
      : `certificate not valid for the name: ${message}`;
  }
  const alert = /^ERR_SSL_(?:SSLV3_|TLSV1_|TLSV13_)?ALERT_([A-Z_]+)$/.exec(code)?.[1];
  // Go's server answers a client that sent no certificate with bad_certificate,
  // OpenSSL's (TLS 1.3) with certificate_required: either way, one is needed.
  if (alert === "CERTIFICATE_REQUIRED" || (alert === "BAD_CERTIFICATE" && !sentCertificate)) {
    return "the server requires a client certificate: set tls.cert and tls.key";
  }
  if (alert && /CERTIFICATE|UNKNOWN_CA|DECRYPT_ERROR|ACCESS_DENIED/.test(alert)) {
    return `the server rejected the client certificate (alert: ${
      alert.replace(/_/g, " ").toLowerCase()
    })`;
  }
  if (alert) {
    return `the server ended the handshake (alert: ${alert.replace(/_/g, " ").toLowerCase()})`;
  }
  if (code === "ERR_SSL_WRONG_VERSION_NUMBER" || /wrong version number/i.test(message)) {
    return "the server does not speak TLS (wrong version number)";
  }
  if (/before secure TLS connection/i.test(message)) {
    return "the connection closed during the handshake";
  }
  if (/KEY_VALUES_MISMATCH|key values mismatch/i.test(`${code} ${message}`)) {
    return "tls.cert and tls.key do not match";
  }
  if (/^ERR_(?:SSL|TLS|OSSL|BORINGSSL|CRYPTO)/.test(code)) return plainMessage(message);
  return undefined;
}

/**
 * Turns what `node:tls` or `node:https` threw into a `PlatformError` `ETLS`
 * that says why the handshake failed, or returns the error unchanged when it
 * is not about TLS (a refused connection, an abort). `tls`, the connection's
 * settings, tells a refused client certificate from a missing one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tlsFailure } from "./tls.ts";
 * const error = Object.assign(new Error("self signed certificate"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" });
 * assert.equal(
 *   (tlsFailure(error) as Error).message,
 *   "TLS handshake failed: certificate not trusted: self-signed certificate",
 * );
 * const alert = Object.assign(new Error("bad certificate"), { code: "ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE" });
 * assert.equal(
 *   (tlsFailure(alert, {}) as Error).message,
 *   "TLS handshake failed: the server requires a client certificate: set tls.cert and tls.key",
 * );
 * assert.equal(
 *   (tlsFailure(alert, { cert: "PEM", key: "PEM" }) as Error).message,
 *   "TLS handshake failed: the server rejected the client certificate (alert: bad certificate)",
 * );
 * ```
 */
export function tlsFailure(error: unknown, tls?: TlsOptions): unknown {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const reason = describe(
    typeof code === "string" ? code : "",
    typeof message === "string" ? message : String(error),
    tls === undefined || tls.cert !== undefined,
  );
  return reason === undefined ? error : new PlatformError("ETLS", reason, { cause: error });
}
