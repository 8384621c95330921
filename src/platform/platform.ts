/**
 * The one seam between vitals and the JavaScript runtime it runs on: the
 * {@link Platform} interface and the options and results of its calls.
 * Everything that differs between Deno and Bun (processes, raw TCP, serving
 * HTTP, HTTP/2, signals, files, environment, exit) sits behind it; the rest
 * of vitals uses only Web standards.
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
  /** Output bytes read at most: past it the process is killed as on abort (bounded memory). */
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

/**
 * Options for {@link Platform.serve}. The handler may answer with a {@link ReusableResponse}; if
 * it throws or rejects, the client gets `500` `text/plain` `internal server error` on every runtime.
 */
export interface ServeOptions {
  readonly hostname: string;
  readonly port: number;
  /** `info` is made once per connection and reads the peer's address only when asked. */
  readonly handler: (request: Request, info: ConnectionInfo) => Response | Promise<Response>;
  /** Serve HTTPS instead of HTTP, with these settings. */
  readonly tls?: ServerTls | undefined;
}

/** What a server knows of the client behind a request, as `Deno.serve` hands it over. */
export interface ConnectionInfo {
  /** The peer's IP address as the socket reports it (`127.0.0.1`, `::1`, `::ffff:10.0.0.7`); `""` if unknown. */
  readonly remoteAddress: string;
}

/** TLS on a serving port: PEM text, not file names. */
export interface ServerTls {
  /** The certificate chain, leaf first. */
  readonly cert: string;
  readonly key: string;
  /** Client certificates are verified against these (mutual TLS); with it, `clientAuth` says when one is needed. */
  readonly clientCa?: string | undefined;
  /** "request": ask for a client certificate, verify one if given, let clients without one in; "require": refuse clients without a valid one. Default "require" when clientCa is set. */
  readonly clientAuth?: "request" | "require" | undefined;
  /** Lowest protocol accepted. */
  readonly minVersion: "TLSv1.2" | "TLSv1.3";
}

/** What a server certificate says about itself, once its pair is checked. */
export interface ServerCertificate {
  /** Hex serial number, upper case, as openssl prints it. */
  readonly serial: string;
  readonly subject: string;
  /** notAfter, ms since the Unix epoch. */
  readonly notAfterMs: number;
}

/**
 * A `Response` that vouches for its bytes: all made with the same `key` (by
 * identity) have the same status, headers (those set later too) and body, so
 * the server may write the first one's bytes for the rest without reading them.
 */
export class ReusableResponse extends Response {
  readonly key: object;
  constructor(key: object, body: BodyInit | null, init: ResponseInit) {
    super(body, init);
    this.key = key;
  }
}

/** A listening HTTP server. */
export interface RunningServer {
  /** The address actually bound (port 0 resolves to a real port). */
  readonly hostname: string;
  readonly port: number;
  /** Stops accepting, lets requests in flight finish, closes what is still open after `graceMs`. */
  shutdown(graceMs: number): Promise<void>;
  /**
   * TLS servers only: new connections use `tls` from now on, open ones keep theirs. Throws a
   * `TypeError` saying what is wrong (and changes nothing) when the pair is broken.
   */
  setTls?(tls: ServerTls): ServerCertificate;
}

/** What {@link Platform.stat} tells (links followed); `mtimeMs`: wall-clock ms since the epoch. */
export interface FileInfo {
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly size: number;
  readonly mtimeMs: number;
}

/** Signals vitals reacts to. */
export type SignalName = "SIGTERM" | "SIGINT" | "SIGHUP";

/** How an error went uncaught: thrown where nothing caught it, or a rejection nobody handled. */
export type UncaughtKind = "exception" | "rejection";

/** Hears an uncaught error: the value thrown or the rejection's reason. */
export type UncaughtListener = (error: unknown, kind: UncaughtKind) => void;

export type { TlsOptions, TlsPeer, TlsResponse } from "./_tls/client_tls_types.ts";
import type { TlsOptions, TlsPeer, TlsResponse } from "./_tls/client_tls_types.ts";

export type {
  Http2ClientSession,
  Http2ClientStream,
  Http2Core,
  Http2Headers,
  Http2Server,
  Http2ServerSession,
  Http2ServerStream,
} from "./_node/http2_api.ts";
import type { Http2Core, Http2Server } from "./_node/http2_api.ts";

/** What vitals' gRPC client and server use of `node:http2` ({@link Platform.http2}). */
export interface Http2Api extends Http2Core {
  /**
   * An HTTP/2 server over TLS (ALPN `h2` only, no HTTP/1.1), with the client authentication and
   * lowest version `tls` asks for. Throws a `TypeError` as {@link Platform.checkServerTls} does.
   */
  createSecureServer(
    options: { settings: { maxConcurrentStreams: number }; tls: ServerTls },
  ): Http2SecureServer;
}

/** An HTTP/2 server over TLS; `setTls` as {@link RunningServer.setTls}. */
export interface Http2SecureServer extends Http2Server {
  setTls(tls: ServerTls): ServerCertificate;
}

/** The runtime services vitals needs; one implementation per runtime. */
export interface Platform {
  readonly runtime: "deno" | "bun";
  /** The runtime's version, for logs and `--version`. */
  readonly version: string;
  /** How this vitals was built, for `--version`: a compiled binary, or run from source. */
  readonly build: "bun build --compile" | "deno compile" | "source";
  /** Runs a program to completion; rejects with a `PlatformError` when it cannot start. */
  spawn(options: SpawnOptions): Promise<SpawnResult>;
  /** `fetch` that reaches every port (on Deno, blocked ones go through `node:http`). */
  fetch(url: string, init: RequestInit): Promise<Response>;
  /** Opens a TCP connection and closes it at once; rejects with a `PlatformError`. */
  connect(hostname: string, port: number, signal: AbortSignal): Promise<void>;
  /** `fetch` of an `https:` URL with TLS settings on a new connection; `ETLS` when the handshake fails. */
  fetchTls(url: string, init: RequestInit, tls: TlsOptions): Promise<TlsResponse>;
  /**
   * Connects, completes a TLS handshake (under TLS 1.3, waiting briefly for the server's verdict
   * on the client) and closes. Rejects with a `PlatformError`: `ETLS` when the handshake fails or
   * the server refuses the client, the connection's code when connecting fails.
   */
  handshake(hostname: string, port: number, signal: AbortSignal, tls: TlsOptions): Promise<TlsPeer>;
  /**
   * Starts serving (HTTPS with `options.tls`); rejects with a `PlatformError` (for example
   * `EADDRINUSE`), or a `TypeError` as {@link Platform.checkServerTls} throws it.
   */
  serve(options: ServeOptions): Promise<RunningServer>;
  /**
   * Checks a pair without serving it: throws a `TypeError` naming the problem (no certificate in
   * the PEM, unreadable key, key does not match the certificate, unreadable clientCa).
   */
  checkServerTls(tls: ServerTls): ServerCertificate;
  /** `node:http2`, loaded on the first call: only gRPC checks and the gRPC server pay for it. */
  http2(): Promise<Http2Api>;
  /** Calls `listener` on each delivery of `signal`; returns a function that stops listening. */
  onSignal(signal: SignalName, listener: () => void): () => void;
  /**
   * Hands every uncaught error (a throw out of an event callback, an unhandled rejection) to
   * `listener` instead of ending the process; returns a function that stops listening. Only the
   * latest listener hears one (`serve`'s guard takes over from `main.ts`'s); with none, the
   * runtime's own behaviour is back. A throw in a listener is ignored.
   */
  onUncaught(listener: UncaughtListener): () => void;
  /** Reads a UTF-8 file; rejects with a `PlatformError` (`EFBIG` once past `maxBytes`). */
  readTextFile(path: string, maxBytes?: number): Promise<string>;
  /**
   * Replaces the file at `path` with `text` (UTF-8) atomically: written to a temporary file in the
   * same directory, flushed, then renamed over it. Rejects with a `PlatformError`.
   */
  writeFileAtomic(path: string, text: string): Promise<void>;
  /** Looks at a path, following links; rejects with a `PlatformError` (`ENOENT`, `ENOTDIR`). */
  stat(path: string): Promise<FileInfo>;
  /** A copy of the process environment. */
  env(): Record<string, string>;
  /** The host's name (`os.hostname()`); `""` when not allowed (Deno without `--allow-sys`). */
  hostname(): string;
  /** Command-line arguments after the script (or binary) name. */
  args(): string[];
  /** Whether work done once in a short-lived `Worker` leaves less memory behind than in place. */
  readonly workerFreesMemory: boolean;
  /** Whether standard error is a terminal. */
  stderrIsTerminal(): boolean;
  /** Reads standard input to its end as UTF-8; rejects with a `PlatformError` (`EFBIG` past `maxBytes`). */
  readStdin(maxBytes: number): Promise<string>;
  /** Ends the process. */
  exit(code: number): never;
}
