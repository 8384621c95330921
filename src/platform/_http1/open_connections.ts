/**
 * The open connections of an HTTP/1.1 server, the same for Deno's
 * (`http1_server.ts`) and Bun's (`bun_server.ts`): the head timeout's sweep,
 * the connection cap's eviction of the oldest idle connection, and
 * shutdown's grace period.
 *
 * @module
 */

/** How long a connection may take to send a whole request head. */
export const HEAD_TIMEOUT_MS = 10_000;

/**
 * How often the open connections are checked for a head that is overdue: one
 * timer for the whole server instead of one armed and cleared per request
 * (BENCHMARKS.md, "Serving from cache": one of the changes that cut vitals'
 * own CPU per request on Deno by two thirds). A head therefore times out
 * between {@link HEAD_TIMEOUT_MS} and one sweep more after its timeout started.
 */
const SWEEP_MS = 1_000;
const SWEEPS = Math.ceil(HEAD_TIMEOUT_MS / SWEEP_MS);

/** What the table needs to know of a connection. */
export interface TrackedConnection {
  /** A request is being answered: not to be evicted or timed out. */
  busy: boolean;
  /** Sweeps since the head timeout was last restarted. */
  sweeps: number;
}

/**
 * The open connections of one server. Each is closed through the server's
 * own `close`, which must not throw (it runs in a timer) and must
 * {@link OpenConnections.delete} it.
 *
 * @example
 * ```ts ignore
 * const open = new OpenConnections<Connection>(close);
 * if (open.size >= maxConnections && !open.evictIdle()) refuse();
 * open.add(connection);
 * ```
 */
export class OpenConnections<C extends TrackedConnection> {
  readonly #open = new Set<C>();
  readonly #close: (connection: C) => void;
  readonly #sweeper: ReturnType<typeof setInterval>;

  /** Starts the head timeout's sweep, until {@link OpenConnections.stopSweeping}. */
  constructor(close: (connection: C) => void) {
    this.#close = close;
    this.#sweeper = setInterval(() => {
      for (const connection of this.#open) {
        if (!connection.busy && ++connection.sweeps > SWEEPS) close(connection);
      }
    }, SWEEP_MS);
  }

  /** How many connections are open. */
  get size(): number {
    return this.#open.size;
  }

  add(connection: C): void {
    this.#open.add(connection);
  }

  delete(connection: C): void {
    this.#open.delete(connection);
  }

  /** Closes the oldest connection that has no request in progress; whether one was. */
  evictIdle(): boolean {
    for (const connection of this.#open) {
      if (!connection.busy) {
        this.#close(connection);
        return true;
      }
    }
    return false;
  }

  stopSweeping(): void {
    clearInterval(this.#sweeper);
  }

  /**
   * Closes the idle connections at once, lets the busy ones finish for
   * `graceMs`, then closes whatever is still open.
   */
  async drain(graceMs: number): Promise<void> {
    for (const connection of [...this.#open]) if (!connection.busy) this.#close(connection);
    const deadline = performance.now() + graceMs;
    while (this.#open.size > 0 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const connection of [...this.#open]) this.#close(connection);
  }
}
