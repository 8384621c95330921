/**
 * What `vitals serve` logs, read from a child's stderr in either log format:
 * parsed entries, the ones matching a level and pattern, and waiting for one
 * (the first status line, so the cache is warm).
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Running } from "./processes.ts";
import { eventually } from "./waits.ts";

/** One log line of `serve`: its level (lower case) and message. */
export interface LogEntry {
  level: string;
  msg: string;
}

/**
 * Parses serve's stderr into entries, whichever log format is in use: JSON
 * lines (`{"level":"info","msg":…}`) or text (`<time> INFO <msg>`, where a
 * multi-line message continues on indented lines).
 */
export function logEntries(stderr: string): LogEntry[] {
  const entries: LogEntry[] = [];
  for (const line of stderr.split("\n")) {
    if (line.startsWith("{")) {
      try {
        const parsed = JSON.parse(line) as { level?: unknown; msg?: unknown };
        if (typeof parsed.msg === "string") {
          entries.push({ level: String(parsed.level).toLowerCase(), msg: parsed.msg });
          continue;
        }
      } catch {
        // Not a JSON log line: handled as text below.
      }
    }
    const text = /^\d{4}-\d\d-\d\dT\S+ (DEBUG|INFO|WARN|ERROR) (.*)$/.exec(line);
    const last = entries.at(-1);
    if (text) entries.push({ level: text[1]!.toLowerCase(), msg: text[2]! });
    else if (last && line !== "") last.msg += `\n${line}`;
  }
  return entries;
}

/** The log entries at `level` whose message matches `pattern`. */
export function logged(running: Running, level: string, pattern: RegExp): LogEntry[] {
  return logEntries(running.stderr).filter((entry) =>
    entry.level === level && pattern.test(entry.msg)
  );
}

/** Waits for a log entry at `level` whose message matches `pattern`. */
export async function waitForEntry(
  running: Running,
  level: string,
  pattern: RegExp,
  timeoutMs = 8_000,
): Promise<LogEntry> {
  let found: LogEntry | undefined;
  const ok = await eventually(() => {
    found = logged(running, level, pattern)[0];
    return found !== undefined;
  }, timeoutMs);
  assert.ok(ok && found, `no ${level} log entry matching ${pattern} in stderr:\n${running.stderr}`);
  return found;
}

/** Waits for the first evaluation's status line, so the cache is warm. */
export function firstStatus(running: Running, status: "UP" | "DOWN"): Promise<LogEntry> {
  return waitForEntry(
    running,
    status === "UP" ? "info" : "warn",
    new RegExp(`^status ${status}\\b`),
  );
}
