/**
 * Why a certificate was not trusted, when the runtime does not say: a second
 * look at the server's certificate dates after a failed verification.
 *
 * Deno's `node:tls` (rustls underneath) reports every failed verification as
 * `UNABLE_TO_VERIFY_LEAF_SIGNATURE` ("unable to verify the first
 * certificate"), an expired certificate included, where Bun and Node say
 * `CERT_HAS_EXPIRED`. A user who reads "unable to verify" looks at the CA,
 * not the calendar. So after such a failure vitals connects once more without
 * verifying, sends nothing, reads the certificate's validity dates and
 * closes: when they show the certificate expired (or not yet valid), the
 * message says so. The verdict does not change: the check stays DOWN.
 *
 * @module
 */

import { certificateDate, connectionOptions } from "./tls.ts";
import type { TlsOptions } from "../platform.ts";

/** The longest the second look may take; it never holds a check past its own signal either. */
const LOOK_MS = 2_000;

/** The error code under which Deno reports every failed verification. */
const UNSPECIFIC = "UNABLE_TO_VERIFY_LEAF_SIGNATURE";

/**
 * The reason a certificate's validity dates give at `now` (all in ms since
 * the Unix epoch), if they give one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { datesReason } from "./tls_dates.ts";
 * assert.equal(datesReason(0, 1_000, 2_000), "certificate has expired");
 * assert.equal(datesReason(5_000, 9_000, 2_000), "certificate is not yet valid");
 * assert.equal(datesReason(0, 9_000, 2_000), undefined);
 * ```
 */
export function datesReason(
  validFrom: number | undefined,
  validTo: number | undefined,
  now: number,
): string | undefined {
  if (validTo !== undefined && now > validTo) return "certificate has expired";
  if (validFrom !== undefined && now < validFrom) return "certificate is not yet valid";
  return undefined;
}

/**
 * When `error` is the unspecific verification failure, looks at the server's
 * certificate dates and returns a copy of `error` whose message says what
 * they show; otherwise (or when the look fails) `error` itself. Never rejects.
 *
 * @example
 * ```ts ignore
 * throw await explainUnverified(error, "127.0.0.1", 443, { ca }, signal);
 * // code CERT_HAS_EXPIRED, message "certificate has expired"
 * ```
 */
export async function explainUnverified(
  error: unknown,
  hostname: string,
  port: number,
  tls: TlsOptions,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== UNSPECIFIC || signal?.aborted) return error;
  try {
    const reason = await lookAtDates(hostname, port, tls, signal);
    if (reason === undefined) return error;
    const expired = reason === "certificate has expired";
    return Object.assign(new Error(reason, { cause: error }), {
      code: expired ? "CERT_HAS_EXPIRED" : "CERT_NOT_YET_VALID",
    });
  } catch {
    return error;
  }
}

/** Connects without verifying, reads the certificate's dates, closes; the reason they give. */
async function lookAtDates(
  hostname: string,
  port: number,
  tls: TlsOptions,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  const { connect } = await import("node:tls");
  return await new Promise<string | undefined>((resolve) => {
    let done = false;
    const finish = (reason: string | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      try {
        socket.destroy();
      } catch {
        // Already destroyed.
      }
      resolve(reason);
    };
    const onAbort = () => finish(undefined);
    const timer = setTimeout(() => finish(undefined), LOOK_MS);
    const options = { ...connectionOptions(tls), rejectUnauthorized: false };
    const socket = connect({ host: hostname, port, ...options }, () => {
      try {
        const certificate = socket.getPeerCertificate() as {
          valid_from?: unknown;
          valid_to?: unknown;
        };
        finish(datesReason(
          certificateDate(certificate?.valid_from),
          certificateDate(certificate?.valid_to),
          Date.now(),
        ));
      } catch {
        finish(undefined);
      }
    });
    socket.on("error", () => finish(undefined));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
