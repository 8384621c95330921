/**
 * Runtime failures with a code that means the same on Deno and Bun: the
 * normalised errno-style codes, their short reasons, and the translation from
 * whatever a runtime threw.
 *
 * @module
 */

/**
 * Normalised error codes, named after the POSIX errno values both runtimes
 * report; `ETLS`, a failed TLS handshake, is vitals' own.
 */
export type PlatformErrorCode =
  | "ENOENT"
  | "EACCES"
  | "ENOEXEC"
  | "EISDIR"
  | "ENOTDIR"
  | "EFBIG"
  | "EADDRINUSE"
  | "EADDRNOTAVAIL"
  | "ECONNREFUSED"
  | "ECONNRESET"
  | "EHOSTUNREACH"
  | "ENETUNREACH"
  | "ENOTFOUND"
  | "ETIMEDOUT"
  | "ETLS"
  | "EUNKNOWN";

const REASONS: Record<PlatformErrorCode, string> = {
  ENOENT: "file does not exist",
  EACCES: "permission denied",
  ENOEXEC: "not an executable program",
  EISDIR: "is a directory",
  ENOTDIR: "a parent is not a directory",
  EFBIG: "file too large",
  EADDRINUSE: "address already in use",
  EADDRNOTAVAIL: "address not available",
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ENOTFOUND: "name does not resolve",
  ETIMEDOUT: "timed out",
  ETLS: "TLS handshake failed",
  EUNKNOWN: "unknown error",
};

/**
 * A runtime failure with a code that means the same on every runtime.
 *
 * @example
 * ```ts ignore
 * try {
 *   await platform.readTextFile("vitals.yaml");
 * } catch (error) {
 *   if (error instanceof PlatformError && error.code === "ENOENT") {
 *     // the file is missing
 *   }
 * }
 * ```
 */
export class PlatformError extends Error {
  /** The normalised code. */
  readonly code: PlatformErrorCode;
  /** What the message says after the reason, if anything. */
  readonly detail: string | undefined;

  constructor(code: PlatformErrorCode, detail?: string, options?: ErrorOptions) {
    super(detail ? `${REASONS[code]}: ${detail}` : REASONS[code], options);
    this.name = "PlatformError";
    this.code = code;
    this.detail = detail || undefined;
  }

  /** The short reason for the code, such as "connection refused". */
  get reason(): string {
    return REASONS[this.code];
  }
}

const KNOWN_CODES = new Set<string>(Object.keys(REASONS));

/**
 * Turns whatever a runtime threw into a {@link PlatformError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toPlatformError } from "./platform_error.ts";
 * const error = toPlatformError(Object.assign(new Error("connect failed"), { code: "ECONNREFUSED" }));
 * assert(error.reason === "connection refused");
 * ```
 */
export function toPlatformError(error: unknown): PlatformError {
  if (error instanceof PlatformError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (/ENOEXEC|exec format error/i.test(message)) {
    return new PlatformError("ENOEXEC", undefined, { cause: error });
  }
  if (typeof code === "string" && KNOWN_CODES.has(code)) {
    return new PlatformError(code as PlatformErrorCode, undefined, { cause: error });
  }
  if (/lookup address|Name or service not known|getaddrinfo/i.test(message)) {
    return new PlatformError("ENOTFOUND", undefined, { cause: error });
  }
  return new PlatformError("EUNKNOWN", message, { cause: error });
}

/**
 * Awaits `run()`, turning whatever it throws or rejects with into a
 * {@link PlatformError}.
 *
 * @example
 * ```ts ignore
 * const text = await withPlatformErrors(() => Deno.readTextFile(path));
 * ```
 */
export async function withPlatformErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toPlatformError(error);
  }
}
