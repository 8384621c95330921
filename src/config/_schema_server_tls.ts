/**
 * The config schema of TLS on vitals' own ports: `server.tls` (the HTTP port)
 * and `server.grpc.tls` (the gRPC port), each a certificate and key file,
 * optionally a CA that client certificates must chain to (mutual TLS), and
 * the lowest protocol version accepted.
 *
 * @module
 */

import { z } from "zod";
import { nonEmpty } from "./_schema_values.ts";

/** The contents of a port's TLS files, PEM text, once `readTlsFiles` has read them. */
export interface ServerTlsPem {
  readonly cert: string;
  readonly key: string;
  readonly clientCa?: string | undefined;
}

/** A port's `tls` settings, as validated. */
export interface ServerTlsSettings {
  /** File of the certificate chain, leaf first. */
  readonly cert: string;
  /** File of the certificate's private key. */
  readonly key: string;
  /** File of the CA certificates that client certificates are verified against. */
  readonly clientCa?: string | undefined;
  /** With `clientCa`: whether a client without a valid certificate is let in (`request`) or not. */
  readonly clientAuth?: "request" | "require" | undefined;
  /** The lowest TLS version accepted. */
  readonly minVersion: "1.2" | "1.3";
  /** The files' contents, once read. */
  readonly pem?: ServerTlsPem | undefined;
}

const pemFile = nonEmpty("a file path");

/** `1.2` and `1.3`: YAML reads both as numbers, and either form is accepted. */
const minVersion = z.preprocess(
  (value) => typeof value === "number" ? String(value) : value,
  z.enum(["1.2", "1.3"], { error: "expected 1.2 or 1.3" }),
).prefault("1.2");

/**
 * A port's `tls` (`server.tls`, `server.grpc.tls`): the certificate and key
 * it serves, and for mutual TLS the CA its clients' certificates chain to.
 * `clientAuth` applies to a client CA only, and defaults to `require` with one.
 */
export const serverTls = z.strictObject({
  cert: pemFile,
  key: pemFile,
  clientCa: pemFile.optional(),
  clientAuth: z.enum(["request", "require"], { error: "expected request or require" })
    .optional(),
  minVersion,
}, {
  error: "expected a mapping of TLS settings: cert, key, clientCa, clientAuth, minVersion",
}).superRefine((tls, context) => {
  if (tls.clientAuth === undefined || tls.clientCa !== undefined) return;
  context.addIssue({
    code: "custom",
    path: ["clientAuth"],
    message: "expected clientCa with clientAuth: client certificates are verified " +
      "against the CA certificates in clientCa",
  });
}).transform((tls): ServerTlsSettings => ({
  ...tls,
  clientAuth: tls.clientCa === undefined ? undefined : tls.clientAuth ?? "require",
}));
