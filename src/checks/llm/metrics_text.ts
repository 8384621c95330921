/**
 * Reads the Prometheus text format (0.0.4) and OpenMetrics text that LLM
 * servers expose on `/metrics`, and sums one family's samples: the figures the
 * stall watchdog needs. A family is matched by name, not by `# TYPE` (servers
 * declare counters as gauges and the other way round), with `:` and `_` taken
 * as the same character and `_total` optional. Bounded: at most
 * {@link METRICS_LIMIT} bytes are read and parsed. Never throws: a line it
 * cannot read is skipped and the rest is kept.
 *
 * Written here rather than taken from npm: the one small parser on npm
 * (parse-prometheus-text-format 1.1.1, last published 2024-12) groups samples
 * under their `# TYPE` family, which is the declaration the watchdog must not
 * trust, throws on malformed input, and does not read OpenMetrics exemplars;
 * matching name variants and filtering labels would be most of the work anyway.
 *
 * @module
 */

import { readBody } from "../http_read.ts";

/** The most bytes of a metrics page read: vLLM's histograms per engine exceed the 64 KiB body cap. */
export const METRICS_LIMIT = 1024 * 1024;

/** One sample line: `name{labels} value`. */
export interface MetricSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Which samples {@link sumFamily} adds up. */
export interface FamilyQuery {
  /** The family name as the server documents it, e.g. `vllm:generation_tokens_total`. */
  readonly name: string;
  /** Label name → the exact value, or a test of the value; samples without the label never match. */
  readonly labels?: Readonly<Record<string, string | ((value: string) => boolean)>>;
  /** A histogram or summary part (`_bucket`, `_sum`, `_count`) or `_created`: only then are those samples read. */
  readonly part?: "_bucket" | "_sum" | "_count" | "_created";
}

const NAME = /^[A-Za-z_:][A-Za-z0-9_:]*/;
const LABEL =
  /\s*(?:"((?:[^"\\]|\\.)*)"|([A-Za-z_][A-Za-z0-9_.]*))\s*(?:=\s*"((?:[^"\\]|\\.)*)")?\s*(,|$)/y;

/**
 * The samples of a metrics page (comments, `# EOF` and unreadable lines
 * skipped). Only the first `limit` characters are read; a line cut there is
 * dropped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMetrics } from "./metrics_text.ts";
 * const samples = parseMetrics('# TYPE a gauge\na{model_name="m"} 2\nnot a sample\n');
 * assert.deepEqual(samples, [{ name: "a", labels: { model_name: "m" }, value: 2 }]);
 * ```
 */
export function parseMetrics(text: string, limit: number = METRICS_LIMIT): MetricSample[] {
  let body = typeof text === "string" ? text : "";
  if (body.length > limit) body = body.slice(0, body.lastIndexOf("\n", limit) + 1);
  const samples: MetricSample[] = [];
  for (const raw of body.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const sample = parseLine(line);
    if (sample) samples.push(sample);
  }
  return samples;
}

function parseLine(line: string): MetricSample | undefined {
  let name = NAME.exec(line)?.[0] ?? "";
  let at = name.length;
  let inner: string | undefined;
  if (line[at] === "{") {
    const close = labelsEnd(line, at + 1);
    if (close === -1) return undefined;
    inner = line.slice(at + 1, close).trim();
    at = close + 1;
  }
  // After the value: an optional timestamp, then an OpenMetrics exemplar ("# {...} v").
  const rest = line.slice(at);
  if (!/^\s/.test(rest)) return undefined;
  const value = parseValue(rest.trim().split(/\s+/)[0] ?? "");
  if (value === undefined) return undefined;
  const labels: Record<string, string> = {};
  if (inner !== undefined) {
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < inner.length) {
      const start = LABEL.lastIndex;
      const label = LABEL.exec(inner);
      if (!label || LABEL.lastIndex === start) return undefined;
      const key = label[1] !== undefined ? unescape(label[1]) : label[2] ?? "";
      if (label[3] === undefined) {
        // A quoted name inside the braces (OpenMetrics 2 / Prometheus 3 UTF-8 names).
        if (name !== "" || label[1] === undefined) return undefined;
        name = key;
      } else labels[key] = unescape(label[3]);
    }
  }
  return name === "" ? undefined : { name, labels, value };
}

/** The index of the `}` closing a label block that starts at `from`, skipping quoted text; -1 if none. */
function labelsEnd(line: string, from: number): number {
  let quoted = false;
  for (let i = from; i < line.length; i++) {
    const c = line[i];
    if (quoted && c === "\\") i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && c === "}") return i;
  }
  return -1;
}

function parseValue(text: string): number | undefined {
  const lower = text.toLowerCase();
  if (lower === "nan") return NaN;
  if (lower === "+inf" || lower === "inf") return Infinity;
  if (lower === "-inf") return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
}

/** A name with `:` as `_` and without a `_total` suffix: the form two spellings of one family share. */
function canonical(name: string): string {
  const plain = name.replaceAll(":", "_");
  return plain.endsWith("_total") ? plain.slice(0, -"_total".length) : plain;
}

/**
 * Whether a sample belongs to the family `query` asks for: the same name once
 * `:` is read as `_` and `_total` dropped, and (when `query.part` is set) the
 * part's suffix present on the sample.
 */
export function inFamily(sampleName: string, query: FamilyQuery): boolean {
  if (query.part === undefined) return canonical(sampleName) === canonical(query.name);
  if (!sampleName.endsWith(query.part)) return false;
  return canonical(sampleName.slice(0, -query.part.length)) === canonical(query.name);
}

/**
 * The sum of the samples of one family whose labels pass `query.labels`, or
 * `undefined` when no sample matched (the family is absent). NaN samples are
 * left out of the sum.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMetrics, sumFamily } from "./metrics_text.ts";
 * const samples = parseMetrics(
 *   'vllm_generation_tokens_total{engine="0",model_name="m"} 3\n' +
 *     'vllm:generation_tokens_total{engine="1",model_name="m"} 4\n' +
 *     'vllm:generation_tokens_created{model_name="m"} 1.7e9\n',
 * );
 * assert.equal(sumFamily(samples, { name: "vllm:generation_tokens_total" }), 7);
 * assert.equal(sumFamily(samples, { name: "vllm:generation_tokens", labels: { model_name: "x" } }), undefined);
 * ```
 */
export function sumFamily(
  samples: readonly MetricSample[],
  query: FamilyQuery,
): number | undefined {
  let total: number | undefined;
  for (const sample of samples) {
    if (!inFamily(sample.name, query) || !labelsPass(sample.labels, query.labels)) continue;
    if (Number.isNaN(sample.value)) continue;
    total = (total ?? 0) + sample.value;
  }
  return total;
}

function labelsPass(
  labels: Readonly<Record<string, string>>,
  wanted: FamilyQuery["labels"],
): boolean {
  for (const [key, want] of Object.entries(wanted ?? {})) {
    const value = labels[key];
    if (value === undefined) return false;
    if (typeof want === "string" ? value !== want : !want(value)) return false;
  }
  return true;
}

/** A metrics page as read: its samples and whether the page went on past the cap. */
export interface MetricsPage {
  readonly samples: MetricSample[];
  /** True when the body was longer than the cap (the samples are those before it). */
  readonly truncated: boolean;
}

/**
 * The samples of a page body read up to a cap: when it was `truncated`, the
 * line cut at the cap is dropped.
 */
export function pageSamples(text: string, truncated: boolean): MetricSample[] {
  const kept = truncated ? text.slice(0, text.lastIndexOf("\n") + 1) : text;
  return parseMetrics(kept, METRICS_LIMIT);
}

/**
 * Reads a `/metrics` response body (at most `limit` bytes, the rest cancelled)
 * and parses it. Rejects only when the body stream itself fails.
 */
export async function readMetrics(
  response: Response,
  limit: number = METRICS_LIMIT,
): Promise<MetricsPage> {
  const { text, truncated } = await readBody(response, limit);
  return { samples: pageSamples(text, truncated), truncated };
}
