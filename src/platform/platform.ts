/**
 * The one seam between vitals and the JavaScript runtime it runs on: the
 * {@link Platform} interface and the options and results of its calls.
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
  /**
   * How many output bytes to read at most: past this the process is killed
   * as on abort, so a program that floods its output costs bounded memory.
   */
  readonly outputCap: number;
  /** When set, also keep this many bytes from the start of stdout alone (the result's `stdout`). */
  readonly stdoutHead?: number;
}

/** What a finished process left behind. */
export interface SpawnResult {
  /** Exit code, or `null` when the process died of a signal. */
  readonly code: number | null;
  /** Name of the signal that ended the process, if any. */
  readonly signal: string | null;
  /** The last `outputLimit` bytes of combined stdout and stderr, decoded as UTF-8. */
  readonly output: string;
  /** How many output bytes were read (at most about `outputCap`). */
  readonly outputBytes: number;
  /** Whether the process was killed for writing more than `outputCap` bytes. */
  readonly overflowed: boolean;
  /** With the `stdoutHead` option: the start of stdout, decoded as UTF-8, and its whole size. */
  readonly stdout?: { readonly text: string; readonly bytes: number };
}

/** Options for {@link Platform.serve}. */
export interface ServeOptions {
  readonly hostname: string;
  readonly port: number;
  readonly handler: (request: Request) => Response | Promise<Response>;
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

/** What {@link Platform.stat} tells about a path (symbolic links followed). */
export interface FileInfo {
  /** Whether it is a regular file. */
  readonly isFile: boolean;
  /** Whether it is a directory. */
  readonly isDirectory: boolean;
  /** Size in bytes. */
  readonly size: number;
  /** Last modification, in milliseconds since the Unix epoch (wall clock). */
  readonly mtimeMs: number;
}

/** TLS settings of one connection: PEM text, not file names. */
export interface TlsOptions {
  /** Certificates to trust instead of the runtime's own roots. */
  readonly ca?: string | undefined;
  /** A client certificate and its private key, for servers that ask for one. */
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
  /** The name sent (SNI) and verified instead of the host connected to. */
  readonly serverName?: string | undefined;
  /** Accept any certificate: no chain, name or date is verified. */
  readonly insecureSkipVerify?: boolean | undefined;
  /**
   * {@link Platform.handshake} only: the longest it may wait, after a TLS 1.3
   * handshake, for the server's verdict on the client (it waits at most
   * 200 ms in any case). A check passes part of its timeout, so the wait
   * cannot make it time out.
   */
  readonly maxVerdictWaitMs?: number | undefined;
}

/** What a TLS handshake showed of the server. */
export interface TlsPeer {
  /** The protocol agreed on, such as `TLSv1.3`. */
  readonly protocol: string;
  /** When the server's certificate expires (its notAfter), in ms since the Unix epoch, if known. */
  readonly expiresAt: number | undefined;
}

/** What {@link Platform.fetchTls} resolves with. */
export interface TlsResponse {
  readonly response: Response;
  readonly peer: TlsPeer;
}

/** Signals vitals reacts to. */
export type SignalName = "SIGTERM" | "SIGINT" | "SIGHUP";

/** How an error went uncaught: thrown where nothing caught it, or a rejection nobody handled. */
export type UncaughtKind = "exception" | "rejection";

/** Hears an uncaught error: the value thrown or the rejection's reason. */
export type UncaughtListener = (error: unknown, kind: UncaughtKind) => void;

/** The runtime services vitals needs; one implementation per runtime. */
export interface Platform {
  /** `"deno"` or `"bun"`. */
  readonly runtime: "deno" | "bun";
  /** The runtime's version, for logs and `--version`. */
  readonly version: string;
  /** Runs a program to completion; rejects with a `PlatformError` when it cannot start. */
  spawn(options: SpawnOptions): Promise<SpawnResult>;
  /**
   * `fetch`, reaching every port: on Deno, ports the Fetch standard blocks go
   * through `node:http` instead. Rejects as `fetch` does.
   */
  fetch(url: string, init: RequestInit): Promise<Response>;
  /** Opens a TCP connection and closes it at once; rejects with a `PlatformError`. */
  connect(hostname: string, port: number, signal: AbortSignal): Promise<void>;
  /**
   * `fetch` for an `https:` URL with TLS settings, and what the handshake
   * showed; over `node:https` on every runtime, a new connection per request.
   * A failed handshake rejects with a `PlatformError` `ETLS` that says why;
   * anything else rejects as `fetch` does.
   */
  fetchTls(url: string, init: RequestInit, tls: TlsOptions): Promise<TlsResponse>;
  /**
   * Connects, completes a TLS handshake and closes; under TLS 1.3 it first
   * waits briefly for the server's verdict on the client, which comes after
   * the client's part of the handshake. Rejects with a `PlatformError`:
   * `ETLS` when the handshake fails or the server then refuses the client,
   * the connection's code when connecting does.
   */
  handshake(hostname: string, port: number, signal: AbortSignal, tls: TlsOptions): Promise<TlsPeer>;
  /** Starts serving; rejects with a `PlatformError` (for example `EADDRINUSE`). */
  serve(options: ServeOptions): Promise<RunningServer>;
  /** Calls `listener` on each delivery of `signal`; returns a function that stops listening. */
  onSignal(signal: SignalName, listener: () => void): () => void;
  /**
   * Hands every uncaught error (a throw out of an event callback, a promise
   * rejected with no handler) to `listener` instead of letting it end the
   * process; returns a function that stops listening. While several are
   * installed only the latest hears an error (`serve`'s guard takes over
   * from `main.ts`'s exit-with-a-message); with none, the runtime's own
   * behaviour is back. A listener that throws is ignored.
   */
  onUncaught(listener: UncaughtListener): () => void;
  /**
   * Reads a UTF-8 file; rejects with a `PlatformError`, with `EFBIG` when it
   * holds more than `maxBytes` (read no further, so `/dev/zero` is safe).
   */
  readTextFile(path: string, maxBytes?: number): Promise<string>;
  /**
   * Looks at a path, following symbolic links; rejects with a `PlatformError`
   * (`ENOENT` when nothing is there, `ENOTDIR` when a parent is not a directory).
   */
  stat(path: string): Promise<FileInfo>;
  /** A copy of the process environment. */
  env(): Record<string, string>;
  /** Command-line arguments after the script (or binary) name. */
  args(): string[];
  /** Whether standard error is a terminal. */
  stderrIsTerminal(): boolean;
  /** Ends the process. */
  exit(code: number): never;
}
