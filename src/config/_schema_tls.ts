/**
 * The config schema of TLS on a check: the `tls` settings (files to trust and
 * present, the name to verify) of http, tabbyapi, tcp and grpc checks, and the
 * `certificate` expiry windows.
 *
 * @module
 */

import { z } from "zod";
import { OR_BOOLEAN } from "./_json_schema.ts";
import { bool, booleanText, duration, nonEmpty } from "./_schema_values.ts";

/** The contents of a check's TLS files, PEM text. */
export interface TlsPem {
  readonly ca?: string | undefined;
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
}

/** A check's `tls` settings, as validated. */
export interface TlsSettings {
  /** File of the certificates to trust instead of the runtime's roots. */
  readonly ca?: string | undefined;
  /** File of the client certificate, for servers that ask for one (with `key`). */
  readonly cert?: string | undefined;
  /** File of the client certificate's private key (with `cert`). */
  readonly key?: string | undefined;
  /** The name sent (SNI) and verified instead of the URL's or `host`. */
  readonly serverName?: string | undefined;
  /** Accept any certificate. */
  readonly insecureSkipVerify: boolean;
  /** The files' contents, once `readTlsFiles` (tls_files.ts) has read them. */
  readonly pem?: TlsPem | undefined;
}

/** A PEM file that the loader reads (tls_files.ts): relative paths start at vitals' working directory. */
const pemFile = nonEmpty("a file path");

/**
 * A check's TLS settings (`tls`): files to trust and to present, the name to
 * verify, or no verification at all. A client certificate comes with its key.
 */
function tlsSettings(error: string) {
  return z.strictObject({
    ca: pemFile.optional(),
    cert: pemFile.optional(),
    key: pemFile.optional(),
    serverName: nonEmpty("a host name").optional(),
    insecureSkipVerify: bool.prefault(false),
  }, { error }).superRefine((tls, context) => {
    if ((tls.cert === undefined) === (tls.key === undefined)) return;
    const [missing, given] = tls.cert === undefined ? ["cert", "key"] : ["key", "cert"];
    context.addIssue({
      code: "custom",
      path: [missing],
      message: `expected ${missing} with ${given}: a client certificate (cert) ` +
        "and its private key (key) go together",
    });
  }).transform((tls): TlsSettings => tls);
}

/**
 * Extra keys of the checks that may speak TLS: `tls`, and `certificate`, the
 * windows before the server certificate's expiry in which the check is WARN,
 * then DOWN. Certificates live for weeks to years, so these durations take
 * days (`14d`), which no other key does.
 */
export const certificateWindow = z.strictObject({
  warnBefore: duration({ min: 0, days: true }).prefault("14d"),
  downBefore: duration({ min: 0, days: true }).prefault(0),
}, { error: "expected a mapping with warnBefore and downBefore, such as {warnBefore: 14d}" });

/** The `tls` and `certificate` keys of an http or tabbyapi check (see {@link httpsOnly}). */
export const httpsKeys = {
  tls: tlsSettings(
    "expected a mapping of TLS settings: ca, cert, key, serverName, insecureSkipVerify",
  ).optional(),
  certificate: certificateWindow.optional(),
};

/** `tls` and `certificate` on an http or tabbyapi check: for https:// URLs only. */
export function httpsOnly(
  check: { url: string; tls?: unknown; certificate?: unknown },
  context: z.core.$RefinementCtx,
) {
  if (/^https:/i.test(check.url)) return;
  for (const key of ["tls", "certificate"] as const) {
    if (check[key] === undefined) continue;
    context.addIssue({
      code: "custom",
      path: [key],
      message: `${key} applies to https:// URLs only, and url is an http:// one`,
    });
  }
}

/** A tcp check's `tls`: `true` (the default settings), `false` (none) or a mapping of settings. */
export const tcpTls = z.preprocess(
  (value) => {
    const flag = booleanText(value);
    return flag === true ? {} : flag === false ? undefined : value;
  },
  tlsSettings(
    "expected true, false or a mapping of TLS settings: ca, cert, key, serverName, " +
      "insecureSkipVerify",
  ).optional(),
).meta({ [OR_BOOLEAN]: true });
