/**
 * The last-resort guard of `vitals serve`: what becomes of an error nothing
 * caught (a throw out of a stream, socket or timer callback, a promise
 * rejected with no handler). It never ends the process, since a sidecar that
 * exits fails every probe of its app: the error is counted
 * (`vitals_internal_errors_total`) and logged at error level with its stack,
 * secrets and URL credentials masked. The platform hands the errors over
 * (`Platform.onUncaught`); this file is the policy.
 *
 * Such an error is not tied to a check run: the runtimes do not say reliably
 * which run's callback threw (an `AsyncLocalStorage` store is visible in the
 * handler for some callbacks on Deno and for others on Bun). A run whose
 * callback threw ends as its inspection does: settled, failed, or timed out.
 *
 * @module
 */

import { type Clock, systemClock } from "../clock.ts";
import { isSecretPath, keySecrets, secretsOf } from "../config/secrets.ts";
import type { Config } from "../config/resolve.ts";
import type { InternalErrorCounter } from "../http/metrics.ts";
import type { Logger } from "../log.ts";
import { hideUrlCredentials, maskSecrets } from "../mask.ts";
import type { UncaughtKind } from "../platform/platform.ts";
import { plural } from "../text.ts";

/** Longest message and stack logged: a thrown value can be any size. */
const MAX_MESSAGE = 1_000;
const MAX_STACK = 8_000;

/** Options for {@link createGuard}. */
export interface GuardOptions {
  readonly log: Logger;
  /** Where every error is counted, logged or not. */
  readonly counter: InternalErrorCounter;
  /** How often repeats are summed up in one line (default 60 s). */
  readonly windowMs?: number;
  /** New distinct errors logged with their stack per window (default 10). */
  readonly newPerWindow?: number;
  /** Distinct errors remembered at once (default 100): memory stays bounded. */
  readonly remembered?: number;
  /** Times the windows (default the system clock); tests pass a manual one. */
  readonly clock?: Clock;
}

/** What {@link createGuard} returns. */
export interface Guard {
  /** Takes one uncaught error; never throws. */
  report(error: unknown, kind: UncaughtKind): void;
  /** Where the secrets to mask come from, from now on (the config in force). */
  maskWith(secrets: () => readonly string[]): void;
  /** Logs the repeats not yet told and stops the timer. */
  close(): void;
}

/** What is known of one distinct error. */
interface Seen {
  /** How often it came again since its last line. */
  repeats: number;
  /** Whether it came in the current window: one that did not is forgotten. */
  recent: boolean;
}

function cap(text: string, max: number): string {
  return text.length <= max
    ? text
    : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/** A thrown value as a message, and the stack of an `Error` (with its cause's). */
function describe(error: unknown): { message: string; stack?: string } {
  try {
    if (error instanceof Error) {
      const message = `${error.name}: ${error.message}`;
      if (typeof error.stack !== "string") return { message };
      // Both runtimes start a stack with the message, but a stack set by hand may not.
      let stack = /^\s*at\s/.test(error.stack) ? `${message}\n${error.stack}` : error.stack;
      const cause = error.cause;
      if (cause instanceof Error && typeof cause.stack === "string") {
        stack += `\nCaused by: ${cause.stack}`;
      }
      return { message, stack };
    }
    const shown = typeof error === "string" ? JSON.stringify(error) : String(error);
    return { message: `${shown} (thrown as ${typeof error}, not an Error: no stack)` };
  } catch {
    return { message: "a value that cannot be shown (it throws when read)" };
  }
}

/**
 * Creates the guard's policy. A hot loop cannot flood the log:
 *
 * - the first of each distinct error (kind and message, masked) is logged
 *   with its stack; its repeats are counted, and one line per window says
 *   how many came. One that does not come for a whole window is forgotten,
 *   so when it comes back, its stack is logged again;
 * - at most `newPerWindow` new errors per window are logged with a stack:
 *   past that (a message that differs each time, with a port or a counter),
 *   errors are counted and one line per window says how many went unlogged.
 *
 * So a loop throwing the same error costs one line with the stack, then one
 * line a minute; the metric counts every error either way.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createGuard } from "./guard.ts";
 * import { InternalErrorCounter } from "../http/metrics.ts";
 * import { createLogger } from "../log.ts";
 * const lines: string[] = [];
 * const counter = new InternalErrorCounter();
 * const guard = createGuard({ log: createLogger({ write: (line) => lines.push(line) }), counter });
 * for (let i = 0; i < 3; i++) guard.report(new Error("boom"), "exception");
 * assert.equal(counter.count, 3);
 * assert.equal(lines.length, 1); // the first, with its stack
 * guard.close(); // logs: "Uncaught error repeated 2 times before the guard stopped: Error: boom"
 * assert.equal(lines.length, 2);
 * ```
 */
export function createGuard(options: GuardOptions): Guard {
  const { log, counter } = options;
  const windowMs = options.windowMs ?? 60_000;
  const newPerWindow = options.newPerWindow ?? 10;
  const remembered = options.remembered ?? 100;
  const clock = options.clock ?? systemClock;
  const after = (ms: number, callback: () => void) => clock.setTimer(ms, callback);
  const seconds = `${windowMs / 1000} s`;
  let secrets: () => readonly string[] = () => [];
  const seen = new Map<string, Seen>();
  let fresh = 0;
  let unlogged = 0;
  let cancel: (() => void) | undefined;
  let closed = false;

  const mask = (text: string) => maskSecrets(hideUrlCredentials(text), secrets());
  const what = (kind: UncaughtKind) =>
    kind === "exception" ? "Uncaught error" : "Unhandled promise rejection";

  /**
   * Ends a window (`when` says how long it was): the repeats and the unlogged,
   * one line each; forgets the errors that did not come in it.
   */
  const flush = (when: string) => {
    for (const [key, entry] of seen) {
      const [kind, message] = key.split("\0") as [UncaughtKind, string];
      if (entry.repeats > 0) {
        log.error(
          `${what(kind)} repeated ${plural(entry.repeats, "time")} ${when}: ${message}`,
        );
      }
      if (!entry.recent) seen.delete(key);
      entry.repeats = 0;
      entry.recent = false;
    }
    if (unlogged > 0) {
      log.error(
        `${plural(unlogged, "uncaught error")} ${when} not logged: ` +
          `more than ${newPerWindow} different ones (vitals_internal_errors_total counts them)`,
      );
    }
    fresh = 0;
    unlogged = 0;
  };
  const arm = () => {
    if (closed) return;
    cancel ??= after(windowMs, () => {
      cancel = undefined;
      try {
        flush(`in the last ${seconds}`);
      } catch {
        // A timer callback must not throw; the log is what failed, so nothing can be said.
      }
      // Still remembering an error: its absence for a whole window is what forgets it.
      if (seen.size > 0) arm();
    });
  };

  return {
    report(error, kind) {
      counter.add();
      try {
        const { message, stack } = describe(error);
        const shown = cap(mask(message), MAX_MESSAGE).replaceAll("\0", "\\0");
        const key = `${kind}\0${shown}`;
        const known = seen.get(key);
        if (known) {
          known.repeats++;
          known.recent = true;
        } else if (fresh < newPerWindow && seen.size < remembered) {
          fresh++;
          seen.set(key, { repeats: 0, recent: true });
          const fields = stack === undefined ? {} : { stack: cap(mask(stack), MAX_STACK) };
          log.error(`${what(kind)}, vitals keeps running: ${shown}`, fields);
        } else {
          unlogged++;
        }
        arm();
      } catch {
        // Counted; the log failed (standard error closed), and there is nowhere else to say it.
      }
    },
    maskWith(next) {
      secrets = next;
    },
    close() {
      closed = true;
      cancel?.();
      cancel = undefined;
      try {
        flush("before the guard stopped");
      } catch {
        // As in the timer: nothing can be said when the log fails.
      }
      seen.clear();
    },
  };
}

/**
 * Every secret value of a config, longest first: the server's tokens and each
 * check's secrets (`config/secrets.ts` says which). Computed once per config.
 *
 * @example
 * ```ts ignore
 * guard.maskWith(() => configSecrets(app.config));
 * ```
 */
export function configSecrets(config: Config): readonly string[] {
  let secrets = computed.get(config);
  if (!secrets) {
    const server = Object.entries(config.server)
      .filter(([key, value]) => typeof value === "string" && isSecretPath(["server", key]))
      .map(([, value]) => value as string);
    // The private keys of vitals' own TLS ports, as a check's tls.key file is.
    for (const tls of [config.server.tls, config.server.grpc?.tls]) {
      if (tls?.pem) server.push(...keySecrets(tls.pem.key));
    }
    secrets = [...new Set([...server, ...config.checks.flatMap(secretsOf)])]
      .filter((value) => value.length >= 3)
      .sort((a, b) => b.length - a.length);
    computed.set(config, secrets);
  }
  return secrets;
}

const computed = new WeakMap<Config, readonly string[]>();
