/**
 * Nagios plugin semantics for the `command` check (`nagios: true`): the exit
 * code as a state (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN), the first line of
 * stdout as the message, and the performance data after a `|`, in base units,
 * as the Nagios plugin guidelines define them
 * (https://nagios-plugins.org/doc/guidelines.html#AEN200).
 *
 * @module
 */

import type { Perfdata, PerfdataUnit } from "../types.ts";
import { down, type Outcome, up, warn } from "./check.ts";

/** Bytes of stdout read for a plugin's output: Nagios Core reads 8 KiB. */
export const NAGIOS_OUTPUT_LIMIT = 8192;

/** Perfdata labels kept per run; further ones are ignored, and the message says so. */
export const PERFDATA_LIMIT = 32;

/** Characters kept of a perfdata label. */
export const LABEL_LIMIT = 64;

/**
 * Each UOM the guidelines define: the unit it names, and what to multiply by
 * (`times`) or divide by (`per`) for its base unit. Dividing keeps 5ms exactly
 * 0.005 s, where multiplying by 0.001 may not.
 */
const UNITS: Record<string, { unit: PerfdataUnit; times?: number; per?: number }> = {
  "": { unit: "" },
  s: { unit: "seconds" },
  ms: { unit: "seconds", per: 1e3 },
  us: { unit: "seconds", per: 1e6 },
  "%": { unit: "percent" },
  B: { unit: "bytes" },
  KB: { unit: "bytes", times: 1024 },
  MB: { unit: "bytes", times: 1024 ** 2 },
  GB: { unit: "bytes", times: 1024 ** 3 },
  TB: { unit: "bytes", times: 1024 ** 4 },
  c: { unit: "counter" },
};

/** A value and its UOM: a decimal number (sign and exponent allowed), then letters or `%`. */
const VALUE = /^([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)([A-Za-z%]*)$/;

/** C0 and C1 control characters, DEL, and Unicode's line and paragraph separators. */
// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** Parsed performance data. */
export interface PerfdataList {
  /** The valid entries in order, at most {@link PERFDATA_LIMIT}, labels unique. */
  readonly perfdata: readonly Perfdata[];
  /** Valid entries past the limit, not kept. */
  readonly ignored: number;
  /** Entries skipped: malformed, an unknown UOM, a value `U` or not finite, a repeated label. */
  readonly skipped: number;
}

/** One `label=value...` entry as written, or `undefined` for text that is not one. */
interface RawEntry {
  readonly label: string;
  readonly value: string;
}

/** Splits perfdata text into entries; labels may be quoted with `'`, `''` being a quote. */
function* rawEntries(text: string): Generator<RawEntry | undefined> {
  let i = 0;
  const space = /\s/;
  const skipToSpace = () => {
    while (i < text.length && !space.test(text[i]!)) i++;
  };
  while (i < text.length) {
    if (space.test(text[i]!)) {
      i++;
      continue;
    }
    let label = "";
    if (text[i] === "'") {
      let closed = false;
      for (i++; i < text.length; i++) {
        if (text[i] !== "'") label += text[i];
        else if (text[i + 1] === "'") label += text[++i];
        else {
          closed = true;
          i++;
          break;
        }
      }
      if (!closed) {
        yield undefined; // an open quote: the rest is not perfdata
        return;
      }
    } else {
      const start = i;
      while (i < text.length && text[i] !== "=" && !space.test(text[i]!)) i++;
      label = text.slice(start, i);
    }
    if (text[i] !== "=") {
      skipToSpace();
      yield undefined;
      continue;
    }
    const start = ++i;
    skipToSpace();
    yield { label, value: text.slice(start, i) };
  }
}

/** A label as it is kept: control characters as spaces, trimmed, at most {@link LABEL_LIMIT} characters. */
function cleanLabel(label: string): string {
  const clean = label.replace(CONTROL, " ").trim();
  const chars = Array.from(clean);
  return chars.length > LABEL_LIMIT ? chars.slice(0, LABEL_LIMIT).join("").trimEnd() : clean;
}

/** The value of `value[UOM];warn;crit;min;max` in base units; thresholds and limits are ignored. */
function readValue(text: string): { value: number; unit: PerfdataUnit } | undefined {
  const match = VALUE.exec(text.split(";", 1)[0] ?? "");
  if (!match) return undefined; // `U` (unknown), empty, or not a number
  // Own keys only: a UOM such as "constructor" is not one.
  const uom = Object.hasOwn(UNITS, match[2]!) ? UNITS[match[2]!] : undefined;
  if (uom === undefined) return undefined;
  const value = Number(match[1]) * (uom.times ?? 1) / (uom.per ?? 1);
  return Number.isFinite(value) ? { value, unit: uom.unit } : undefined;
}

/**
 * Parses performance data: space-separated `'label'=value[UOM];[warn];[crit];[min];[max]`.
 * Values are converted to base units (seconds, bytes; `KB` is 1024 bytes);
 * percentages and counters stay as they are. Malformed entries, unknown UOMs,
 * `U` values and repeated labels are skipped; past {@link PERFDATA_LIMIT}
 * entries, the rest are counted as ignored.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePerfdata } from "./_command_nagios.ts";
 * const { perfdata } = parsePerfdata("time=5ms;1;2;0 'free space'=2GB size=U");
 * assert.deepEqual(perfdata, [
 *   { label: "time", value: 0.005, unit: "seconds" },
 *   { label: "free space", value: 2147483648, unit: "bytes" },
 * ]);
 * ```
 */
export function parsePerfdata(text: string): PerfdataList {
  const perfdata: Perfdata[] = [];
  const seen = new Set<string>();
  let ignored = 0;
  let skipped = 0;
  for (const entry of rawEntries(text)) {
    const label = entry === undefined ? "" : cleanLabel(entry.label);
    const read = entry === undefined ? undefined : readValue(entry.value);
    if (read === undefined || label === "" || seen.has(label)) {
      skipped++;
    } else if (perfdata.length >= PERFDATA_LIMIT) {
      ignored++;
    } else {
      seen.add(label);
      perfdata.push({ label, ...read });
    }
  }
  return { perfdata, ignored, skipped };
}

/** A plugin's output, read. */
export interface PluginOutput extends PerfdataList {
  /** The first line, before its `|`, trimmed. */
  readonly text: string;
}

/**
 * Reads a plugin's stdout: the first line's text before `|` is the message;
 * perfdata follows that `|`, and also the first `|` of the later lines (long
 * output), up to the end. When `cut`, the output was longer than what is
 * given: its last, possibly partial, line (or word, if there is one line) is
 * dropped, so a cut number is never read as a value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePluginOutput } from "./_command_nagios.ts";
 * const out = parsePluginOutput("DISK OK | /=2643MB;5948\n/ 15272 MB free | /home=1KB\n");
 * assert.equal(out.text, "DISK OK");
 * assert.deepEqual(out.perfdata.map((p) => p.value), [2643 * 1024 ** 2, 1024]);
 * ```
 */
export function parsePluginOutput(stdout: string, cut = false): PluginOutput {
  let output = stdout;
  if (cut) {
    const end = output.lastIndexOf("\n");
    output = end >= 0 ? output.slice(0, end) : output.replace(/\S*$/, "");
  }
  const newline = output.indexOf("\n");
  const first = (newline < 0 ? output : output.slice(0, newline)).replace(/\r$/, "");
  const rest = newline < 0 ? "" : output.slice(newline + 1);
  const bar = first.indexOf("|");
  const longBar = rest.indexOf("|");
  const perf = [
    bar < 0 ? "" : first.slice(bar + 1),
    longBar < 0 ? "" : rest.slice(longBar + 1),
  ].join("\n");
  return { text: (bar < 0 ? first : first.slice(0, bar)).trim(), ...parsePerfdata(perf) };
}

/** The Nagios state names by exit code. */
const STATES = ["OK", "WARNING", "CRITICAL", "UNKNOWN"] as const;

/**
 * The outcome of a plugin that exited with `code` 0 to 3: OK is UP, WARNING
 * is WARN, CRITICAL and UNKNOWN are DOWN (UNKNOWN's message starts with
 * `UNKNOWN: ` unless its line says UNKNOWN). The message is the first line of
 * stdout, else `fallback` (such as the first line of stderr), else the state
 * and exit code. Returns `undefined` for any other code: not a plugin state.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nagiosOutcome } from "./_command_nagios.ts";
 * const outcome = nagiosOutcome(1, { text: "LOAD WARNING - 3.1", perfdata: [], ignored: 0, skipped: 0 });
 * assert.deepEqual(outcome, { status: "WARN", message: "LOAD WARNING - 3.1" });
 * ```
 */
export function nagiosOutcome(
  code: number,
  output: PluginOutput,
  fallback = "",
): Outcome | undefined {
  const state = STATES[code];
  if (state === undefined) return undefined;
  let message = output.text || fallback.trim() ||
    `${state} (${code === 0 ? "exit 0" : `exit code ${code}`})`;
  if (code === 3 && !/\bUNKNOWN\b/.test(message)) message = `UNKNOWN: ${message}`;
  if (output.ignored > 0) {
    message +=
      ` (perfdata: kept the first ${PERFDATA_LIMIT} labels, ignored ${output.ignored} more)`;
  }
  const outcome = code === 0 ? up(message) : code === 1 ? warn(message) : down(message);
  return output.perfdata.length === 0 ? outcome : { ...outcome, perfdata: output.perfdata };
}
