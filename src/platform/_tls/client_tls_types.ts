/**
 * The TLS settings and results of vitals' own connections as a client
 * (`Platform.fetchTls` and `Platform.handshake`), re-exported by
 * `platform.ts`.
 *
 * @module
 */

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
  /** `Platform.handshake` only: the longest wait for a TLS 1.3 verdict (200 ms at most). */
  readonly maxVerdictWaitMs?: number | undefined;
}

/** What a TLS handshake showed of the server. */
export interface TlsPeer {
  /** The protocol agreed on, such as `TLSv1.3`. */
  readonly protocol: string;
  /** When the server's certificate expires (its notAfter), in ms since the Unix epoch, if known. */
  readonly expiresAt: number | undefined;
}

/** What `Platform.fetchTls` resolves with. */
export interface TlsResponse {
  readonly response: Response;
  readonly peer: TlsPeer;
}
