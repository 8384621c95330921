/**
 * The one seam between vitals and the JavaScript runtime it runs on.
 *
 * Everything that differs between Deno and Bun (spawning processes, raw TCP,
 * serving HTTP, OS signals, files, environment, exit) sits behind the
 * {@link Platform} interface. The rest of vitals uses only Web standards.
 *
 * @module
 */

/** Options for {@link Platform.spawn}. */
export interface SpawnOptions {
  /** Program and arguments; no shell is involved. */
  readonly argv: readonly [string, ...string[]];
  /** Working directory; the sidecar's own when absent. */
  readonly cwd?: string;
  /** Extra environment variables, merged over the sidecar's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Aborting kills the process (and its process group) with SIGKILL. */
  readonly signal: AbortSignal;
  /** How many bytes of combined stdout and stderr to keep (the tail). */
  readonly outputLimit: number;
}

/** What a finished process left behind. */
export interface SpawnResult {
  /** Exit code, or `null` when the process died of a signal. */
  readonly code: number | null;
  /** Name of the signal that ended the process, if any. */
  readonly signal: string | null;
  /** The last `outputLimit` bytes of combined stdout and stderr, decoded as UTF-8. */
  readonly output: string;
  /** How many output bytes the process wrote in total. */
  readonly outputBytes: number;
}

/** Options for {@link Platform.serve}. */
export interface ServeOptions {
  readonly hostname: string;
  readonly port: number;
  readonly handler: (request: Request) => Promise<Response>;
}

/** A listening HTTP server. */
export interface RunningServer {
  /** The address actually bound (port 0 resolves to a real port). */
  readonly hostname: string;
  readonly port: number;
  /**
   * Stops accepting connections and waits for in-flight requests to finish,
   * closing whatever is still open after `graceMs`.
   */
  shutdown(graceMs: number): Promise<void>;
}

/** Signals vitals reacts to. */
export type SignalName = "SIGTERM" | "SIGINT" | "SIGHUP";

/** The runtime services vitals needs; one implementation per runtime. */
export interface Platform {
  /** `"deno"` or `"bun"`. */
  readonly runtime: "deno" | "bun";
  /** The runtime's version, for logs and `--version`. */
  readonly version: string;
  /** Runs a program to completion; rejects with a {@link PlatformError} when it cannot start. */
  spawn(options: SpawnOptions): Promise<SpawnResult>;
  /** Opens a TCP connection and closes it at once; rejects with a {@link PlatformError}. */
  connect(hostname: string, port: number, signal: AbortSignal): Promise<void>;
  /** Starts serving; rejects with a {@link PlatformError} (for example `EADDRINUSE`). */
  serve(options: ServeOptions): Promise<RunningServer>;
  /** Calls `listener` on each delivery of `signal`; returns a function that stops listening. */
  onSignal(signal: SignalName, listener: () => void): () => void;
  /** Reads a UTF-8 file; rejects with a {@link PlatformError}. */
  readTextFile(path: string): Promise<string>;
  /** A copy of the process environment. */
  env(): Record<string, string>;
  /** Command-line arguments after the script (or binary) name. */
  args(): string[];
  /** Whether standard error is a terminal. */
  stderrIsTerminal(): boolean;
  /** Ends the process. */
  exit(code: number): never;
}

/** Normalised error codes, named after the POSIX errno values both runtimes report. */
export type PlatformErrorCode =
  | "ENOENT"
  | "EACCES"
  | "ENOEXEC"
  | "EISDIR"
  | "EADDRINUSE"
  | "EADDRNOTAVAIL"
  | "ECONNREFUSED"
  | "ECONNRESET"
  | "EHOSTUNREACH"
  | "ENETUNREACH"
  | "ENOTFOUND"
  | "ETIMEDOUT"
  | "EUNKNOWN";

const REASONS: Record<PlatformErrorCode, string> = {
  ENOENT: "file does not exist",
  EACCES: "permission denied",
  ENOEXEC: "not an executable program",
  EISDIR: "is a directory",
  EADDRINUSE: "address already in use",
  EADDRNOTAVAIL: "address not available",
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ENOTFOUND: "name does not resolve",
  ETIMEDOUT: "timed out",
  EUNKNOWN: "unknown error",
};

/**
 * A runtime failure with a code that means the same on every runtime.
 *
 * @example
 * ```ts
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

  constructor(code: PlatformErrorCode, detail?: string, options?: ErrorOptions) {
    super(detail ? `${REASONS[code]}: ${detail}` : REASONS[code], options);
    this.name = "PlatformError";
    this.code = code;
  }

  /** The short reason for the code, such as "connection refused". */
  get reason(): string {
    return REASONS[this.code];
  }
}

const KNOWN_CODES = new Set<string>(Object.keys(REASONS));

/** Turns whatever a runtime threw into a {@link PlatformError}. */
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
