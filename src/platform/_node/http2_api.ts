/**
 * The part of `node:http2` that vitals' gRPC client and server use
 * ({@link Http2Core}; `platform.ts` adds the TLS server to it as
 * `Http2Api`, reached through `Platform.http2`), as interfaces both
 * runtimes' `node:http2` satisfy; `platform.ts` re-exports them.
 *
 * @module
 */

/** HTTP/2 headers as `node:http2` gives and takes them (lower-case names, pseudo-headers). */
export type Http2Headers = Readonly<Record<string, string | string[] | number | undefined>>;

/** A client connection (one per gRPC check run). */
export interface Http2ClientSession {
  readonly closed: boolean;
  readonly destroyed: boolean;
  on(event: "error", listener: (error: unknown) => void): unknown;
  request(headers: Http2Headers): Http2ClientStream;
  destroy(): void;
}

/** One call of the gRPC client: its request, then the answer as events. */
export interface Http2ClientStream {
  readonly rstCode?: number | undefined;
  on(event: "response" | "trailers", listener: (headers: Http2Headers) => void): unknown;
  on(event: "data", listener: (chunk: Uint8Array) => void): unknown;
  on(event: "error", listener: (error: Error & { code?: unknown }) => void): unknown;
  on(event: "close", listener: () => void): unknown;
  end(data: Uint8Array): void;
}

/** A connection the gRPC server accepted. */
export interface Http2ServerSession {
  readonly closed: boolean;
  readonly destroyed: boolean;
  on(event: "close" | "error", listener: () => void): unknown;
  close(): void;
  destroy(): void;
}

/** One call the gRPC server takes: the request as events, the answer through `respond`. */
export interface Http2ServerStream {
  readonly session?: Pick<Http2ServerSession, "closed" | "destroyed" | "close"> | undefined;
  readonly closed: boolean;
  readonly destroyed: boolean;
  readonly headersSent: boolean;
  on(event: "data", listener: (chunk: Uint8Array) => void): unknown;
  on(event: "end" | "close" | "error", listener: () => void): unknown;
  once(event: "wantTrailers", listener: () => void): unknown;
  removeAllListeners(event: "data"): unknown;
  resume(): unknown;
  respond(headers: Http2Headers, options: { endStream?: boolean; waitForTrailers?: boolean }): void;
  sendTrailers(headers: Http2Headers): void;
  write(data: Uint8Array): unknown;
  end(data?: Uint8Array): void;
}

/** An HTTP/2 server (cleartext from `createServer`); `maxConnections` caps the connections served at once. */
export interface Http2Server {
  maxConnections: number;
  on(event: "session", listener: (session: Http2ServerSession) => void): unknown;
  on(
    event: "stream",
    listener: (stream: Http2ServerStream, headers: Http2Headers) => void,
  ): unknown;
  on(event: "sessionError" | "error", listener: (error: unknown) => void): unknown;
  once(event: "error", listener: (error: unknown) => void): unknown;
  off(event: "error", listener: (error: unknown) => void): unknown;
  listen(port: number, hostname: string, listening: () => void): unknown;
  address(): { readonly address: string; readonly port: number } | string | null;
  close(closed: () => void): unknown;
}

/** What vitals' gRPC client and server use of `node:http2`, but the TLS server (`Http2Api` has it). */
export interface Http2Core {
  /** A session to `authority` (`http:` is h2c), TLS settings named as `node:tls` names them. */
  connect(authority: string, tls: Http2Tls): Http2ClientSession;
  createServer(options: { settings: { maxConcurrentStreams: number } }): Http2Server;
}

/** TLS settings of {@link Http2Core.connect}. */
type Http2Tls = Partial<Record<"ca" | "cert" | "key" | "servername", string>> & {
  rejectUnauthorized?: boolean;
};
