/**
 * What the Bun HTTP server (`bun_server.ts`) knows of Bun's TCP sockets, and
 * one connection's state: the bytes it has received and not parsed yet, kept
 * in one growing buffer so that a head arriving a byte at a time costs linear
 * time (as on Deno), and reading paused while too many wait.
 *
 * @module
 */

import type { ConnectionInfo } from "../platform.ts";

const EMPTY = new Uint8Array(0);
/** The smallest buffer a connection grows; a larger one is dropped once empty. */
const BUFFER_SIZE = 4096;
/** Bytes held unparsed (pipelined requests behind a slow answer) past which reading pauses. */
const HIGH_WATER = 64 * 1024;

/** The parts of a Bun TCP socket used here. */
export interface BunSocket {
  data: Connection | undefined;
  /** The peer's IP address. */
  readonly remoteAddress: string;
  write(bytes: Uint8Array): number;
  end(): void;
  pause(): void;
  resume(): void;
}

/** What `Bun.listen` returns. */
export interface BunTcpListener {
  readonly hostname: string;
  readonly port: number;
  stop(closeActiveConnections?: boolean): void;
}

/** The `Bun.listen` call. */
export interface BunListen {
  listen(options: {
    hostname: string;
    port: number;
    allowHalfOpen: boolean;
    socket: {
      binaryType: "uint8array";
      open(socket: BunSocket): void;
      data(socket: BunSocket, bytes: Uint8Array): void;
      end(socket: BunSocket): void;
      drain(socket: BunSocket): void;
      close(socket: BunSocket): void;
      error(socket: BunSocket, error: Error): void;
    };
  }): BunTcpListener;
}

/** One open connection and its state. */
export interface Connection {
  readonly socket: BunSocket;
  /** Bytes received and not yet parsed are `store[start, end)`; no head ends before `scanned`. */
  store: Uint8Array;
  start: number;
  end: number;
  scanned: number;
  /** A request is being answered: not to be evicted or timed out. */
  busy: boolean;
  closed: boolean;
  /** The peer sent FIN: close once nothing is left to answer. */
  ended: boolean;
  paused: boolean;
  /** Close after the answer being written. */
  last: boolean;
  /** The part of an answer Bun did not take yet; written on `drain`. */
  unsent: Uint8Array | undefined;
  /** Sweeps since the head timeout was last restarted. */
  sweeps: number;
  /** What the handler is told of the peer: one object per connection, read only when asked. */
  readonly info: ConnectionInfo;
}

/** Appends `bytes` to what `connection` holds unparsed, growing its store when full. */
export function append(connection: Connection, bytes: Uint8Array): void {
  const { store, start, end } = connection;
  const held = end - start;
  if (end + bytes.length > store.length) {
    const room = held + bytes.length <= store.length
      ? store
      : new Uint8Array(Math.max(2 * store.length, held + bytes.length, BUFFER_SIZE));
    room.set(store.subarray(start, end));
    connection.store = room;
    connection.start = 0;
    connection.end = held;
    connection.scanned -= start;
  }
  connection.store.set(bytes, connection.end);
  connection.end += bytes.length;
}

/** Forgets the parsed bytes before `to`. */
export function consume(connection: Connection, to: number): void {
  if (to === connection.end) {
    connection.start = connection.end = connection.scanned = 0;
    if (connection.store.length > BUFFER_SIZE) connection.store = EMPTY;
  } else {
    connection.start = connection.scanned = to;
  }
}

/** A new connection on `socket`, holding nothing. */
export function newConnection(socket: BunSocket): Connection {
  return {
    socket,
    store: EMPTY,
    start: 0,
    end: 0,
    scanned: 0,
    busy: false,
    closed: false,
    ended: false,
    paused: false,
    last: false,
    unsent: undefined,
    sweeps: 0,
    info: {
      get remoteAddress() {
        return socket.remoteAddress ?? "";
      },
    },
  };
}

/** Marks `connection` closed and lets go of what it holds. */
export function forget(connection: Connection): void {
  connection.closed = true;
  connection.store = EMPTY;
  connection.start = connection.end = connection.scanned = 0;
  connection.unsent = undefined;
}

/**
 * Takes a chunk from Bun's `data`. When nothing is held and nothing is being
 * answered, `serve` parses the chunk where it is and only what is left is
 * copied ("served"); otherwise the chunk is appended: "held" when it may be
 * served now, "waiting" behind an answer in progress (reading pauses past
 * {@link HIGH_WATER}).
 */
export function receive(
  connection: Connection,
  bytes: Uint8Array,
  serve: (connection: Connection) => void,
): "served" | "held" | "waiting" {
  if (connection.end !== 0 || connection.busy) {
    append(connection, bytes);
    if (!connection.busy) return "held";
    if (connection.end - connection.start > HIGH_WATER && !connection.paused) {
      connection.paused = true;
      connection.socket.pause();
    }
    return "waiting";
  }
  connection.store = bytes;
  connection.end = bytes.length;
  serve(connection);
  if (connection.store === bytes) {
    // Bun's chunk is not kept past the callback.
    connection.store = connection.end === 0 ? EMPTY : bytes.slice(connection.start, connection.end);
    connection.scanned -= connection.start;
    connection.end -= connection.start;
    connection.start = 0;
  }
  return "served";
}

/** Reads again once what is held is down to {@link HIGH_WATER}. */
export function resumeReading(connection: Connection): void {
  if (connection.paused && connection.end - connection.start <= HIGH_WATER) {
    connection.paused = false;
    connection.socket.resume();
  }
}
