/**
 * A small structured logger: one line per event to standard error, as text
 * (`2026-11-21T11:24:41.342Z INFO status UP check=db`) or as one JSON object per
 * line (`{"time":…,"level":"info","msg":"status UP","check":"db"}`).
 *
 * vitals logs start, stop, reloads, status changes and check state changes,
 * never one line per probe request; `debug` adds one line per evaluation.
 *
 * @module
 */

import { escapeControl } from "./text.ts";

/** Log levels, least to most severe. */
export type Level = "debug" | "info" | "warn" | "error";

/** What `--log-level` accepts: `quiet` keeps only errors. */
export type LogLevelOption = "quiet" | "info" | "debug";

/** How lines are written: `--log-format`. */
export type LogFormat = "text" | "json";

/** Extra key-value data for a line. */
export type Fields = Readonly<Record<string, string | number | boolean | undefined>>;

/** What the rest of vitals logs through. */
export interface Logger {
  debug(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
}

const ORDER: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };
const MINIMUM: Record<LogLevelOption, Level> = { quiet: "error", info: "info", debug: "debug" };

/** A text field value: bare when it is one plain word, else JSON-quoted. */
function textValue(value: string | number | boolean): string {
  const text = String(value);
  return /^[\w.:/@+-]+$/.test(text) ? text : JSON.stringify(text);
}

/** Formats one line; exported for tests. */
export function formatLine(
  format: LogFormat,
  time: Date,
  level: Level,
  message: string,
  fields: Fields = {},
): string {
  const defined = Object.entries(fields).filter((entry): entry is [
    string,
    string | number | boolean,
  ] => entry[1] !== undefined);
  if (format === "json") {
    return JSON.stringify({
      time: time.toISOString(),
      level,
      msg: message,
      ...Object.fromEntries(defined),
    });
  }
  const extra = defined.map(([key, value]) => ` ${key}=${textValue(value)}`).join("");
  // Text from checks must not start a line of its own or reach the terminal raw.
  return `${time.toISOString()} ${level.toUpperCase()} ${escapeControl(message)}${extra}`;
}

/**
 * Creates a logger.
 *
 * @example
 * ```ts
 * const log = createLogger({ level: "info", format: "json" });
 * log.warn("check DOWN", { check: "db", message: "connection refused" });
 * ```
 */
export function createLogger(options: {
  level?: LogLevelOption;
  format?: LogFormat;
  write?: (line: string) => void;
  now?: () => Date;
} = {}): Logger {
  const min = ORDER[MINIMUM[options.level ?? "info"]];
  const format = options.format ?? "text";
  const write = options.write ?? ((line: string) => console.error(line));
  const now = options.now ?? (() => new Date());
  const at = (level: Level) => (message: string, fields?: Fields) => {
    if (ORDER[level] >= min) write(formatLine(format, now(), level, message, fields));
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** A logger that drops everything. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
