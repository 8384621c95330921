/**
 * A small logger: one line per event to standard error, prefixed with the
 * wall-clock time and level. vitals logs start, stop and status changes, never
 * one line per probe request.
 *
 * @module
 */

/** Log levels, least to most severe. */
export type Level = "debug" | "info" | "warn" | "error";

/** What the rest of vitals logs through. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const ORDER: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * Creates a logger that writes lines such as
 * `2026-11-21T11:24:41.342Z INFO vitals listening on http://0.0.0.0:8080`.
 *
 * @example
 * ```ts
 * const log = createLogger({ level: "info" });
 * log.info("status UP (4 checks)");
 * ```
 */
export function createLogger(options: {
  level?: Level;
  write?: (line: string) => void;
  now?: () => Date;
} = {}): Logger {
  const min = ORDER[options.level ?? "info"];
  const write = options.write ?? ((line: string) => console.error(line));
  const now = options.now ?? (() => new Date());
  const at = (level: Level) => (message: string) => {
    if (ORDER[level] >= min) write(`${now().toISOString()} ${level.toUpperCase()} ${message}`);
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** A logger that drops everything. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
