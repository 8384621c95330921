/**
 * The `tcp` check's TLS handshake over `node:tls`, the same on Deno and Bun:
 * connect, complete the handshake, wait for the server's verdict on the
 * client where TLS 1.3 sends it late, then close.
 *
 * Why wait: in TLS 1.3 the client's part of the handshake ends with its
 * Finished message, and `secureConnect` fires then, before the server has
 * read the client's certificate (or its absence). A server that requires a
 * client certificate answers a client without one, or with one it does not
 * trust, with an alert one round trip later (`certificate_required`,
 * `unknown_ca`). A handshake that stopped at `secureConnect` called that
 * server's refusal a success. So under TLS 1.3 the socket is read until the
 * first of:
 *
 * - a NewSessionTicket (`session`) or application data: the server has
 *   processed the client's Finished and talks to it; it accepted the client
 *   (OpenSSL, Go and BoringSSL send tickets right after that, so on Bun this
 *   takes one round trip);
 * - an alert (`error`): refused, and the alert says why;
 * - the connection closing: refused without a word;
 * - {@link VERDICT_WAIT_MS} of quiet (less when the caller's
 *   `maxVerdictWaitMs` says so: a check passes half its timeout): nothing
 *   came, as from a server that issues no tickets, or on Deno, whose
 *   `node:tls` does not report tickets; the client is taken as accepted. A
 *   refusal that takes longer than this to arrive is missed, the price of a
 *   bounded check.
 *
 * The check's signal bounds the wait as it bounds the rest. TLS 1.2 and
 * earlier need no wait: there the server's Finished comes after its verdict
 * on the client certificate, so `secureConnect` is final.
 *
 * @module
 */

import type { TLSSocket } from "node:tls";
import { connectionOptions, peerOf, tlsFailure } from "./tls.ts";
import { explainUnverified } from "./tls_dates.ts";
import type { TlsOptions, TlsPeer } from "../platform.ts";
import { PlatformError, toPlatformError } from "../platform_error.ts";

/**
 * How long a TLS 1.3 handshake waits for the server's verdict on the client
 * once its own part is done: a few round trips on a local network, short
 * enough that a server sending no tickets is still checked quickly.
 */
export const VERDICT_WAIT_MS = 200;

/** Why a handshake failed, as a `PlatformError`: `ETLS` once the connection was made. */
function handshakeError(error: unknown, connected: boolean, tls: TlsOptions): PlatformError {
  const failure = tlsFailure(error, tls);
  if (!connected) return toPlatformError(failure);
  if (failure instanceof PlatformError) return failure;
  return new PlatformError("ETLS", error instanceof Error ? error.message : String(error), {
    cause: error,
  });
}

/**
 * Connects to `hostname:port`, completes a TLS handshake (waiting for the
 * server's verdict on the client under TLS 1.3, see the module doc) and
 * closes. Rejects with a `PlatformError`: `ETLS` when the handshake fails or
 * the server refuses the client after it, the connection's own code when
 * connecting fails; with `signal.reason` once `signal` aborts. Nothing a
 * server does makes it throw from an event.
 *
 * @example
 * ```ts ignore
 * const peer = await tlsHandshake("127.0.0.1", 443, signal, { insecureSkipVerify: true });
 * peer.protocol; // "TLSv1.3"
 * ```
 */
export async function tlsHandshake(
  hostname: string,
  port: number,
  signal: AbortSignal,
  tls: TlsOptions,
): Promise<TlsPeer> {
  const { connect } = await import("node:tls");
  signal.throwIfAborted();
  let connected = false;
  try {
    return await handshake(connect, hostname, port, signal, tls, () => connected = true);
  } catch (error) {
    if (signal.aborted && error === signal.reason) throw error;
    const explained = await explainUnverified(error, hostname, port, tls, signal);
    throw handshakeError(explained, connected, tls);
  }
}

/** {@link tlsHandshake}'s exchange; rejects with what the socket gave, unmapped. */
function handshake(
  connect: typeof import("node:tls").connect,
  hostname: string,
  port: number,
  signal: AbortSignal,
  tls: TlsOptions,
  onConnected: () => void,
): Promise<TlsPeer> {
  return new Promise<TlsPeer>((resolve, reject) => {
    let settled = false;
    let socket: TLSSocket | undefined;
    /** What the handshake showed, once the client's part of it is done. */
    let peer: TlsPeer | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settle = (outcome: { peer: TlsPeer } | { error: unknown }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      try {
        socket?.destroy();
      } catch {
        // Already destroyed.
      }
      if ("peer" in outcome) resolve(outcome.peer);
      else reject(outcome.error);
    };
    const onAbort = () => settle({ error: signal.reason });
    const fail = (error: unknown) => settle({ error });
    const accepted = () => {
      if (peer !== undefined) settle({ peer });
    };
    const closed = () => {
      // An 'error' emitted in the same turn says more: let it come first.
      setTimeout(() => {
        const detail = peer === undefined
          ? "the connection closed during the handshake"
          : "the server closed the connection right after the handshake";
        settle({ error: new PlatformError("ETLS", detail) });
      }, 0);
    };
    const secured = () => {
      try {
        peer = peerOf(socket!);
        if (socket!.getProtocol() !== "TLSv1.3") return accepted();
        const wait = Math.min(VERDICT_WAIT_MS, tls.maxVerdictWaitMs ?? VERDICT_WAIT_MS);
        timer = setTimeout(accepted, Math.max(0, wait));
      } catch (error) {
        fail(error);
      }
    };
    try {
      socket = connect({ host: hostname, port, ...connectionOptions(tls) }, secured);
      // Kept to the end: an 'error' emitted with no listener throws.
      socket.on("error", fail);
      socket.once("connect", onConnected);
      socket.on("session", accepted);
      socket.on("data", accepted);
      socket.on("end", closed);
      socket.on("close", closed);
    } catch (error) {
      // Bun checks a certificate and its key when the socket is made.
      return fail(error);
    }
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
