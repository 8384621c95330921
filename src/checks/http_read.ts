/**
 * Shared by the `http` and `tabbyapi` checks: a bounded body read. (Reasons
 * for failed requests are in `../fetch_error.ts`, which `vitals probe` shares.)
 *
 * @module
 */

/** The most body bytes a check reads, as the issue and kubelet's cap suggest. */
export const BODY_LIMIT = 64 * 1024;

/** What {@link readBody} got. */
export interface BodyText {
  readonly text: string;
  /** Bytes kept (at most the limit). */
  readonly bytes: number;
  /** Whether the body went on past the limit (the rest was not read). */
  readonly truncated: boolean;
}

/**
 * Reads at most `limit` bytes of a response body, then cancels the rest, so a
 * huge or endless body costs at most `limit` bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readBody } from "./http_read.ts";
 * const { text, truncated } = await readBody(new Response("hello world"), 5);
 * assert(text === "hello" && truncated);
 * ```
 */
export async function readBody(response: Response, limit = BODY_LIMIT): Promise<BodyText> {
  if (!response.body) return { text: "", bytes: 0, truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  let truncated = false;
  try {
    while (bytes < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = limit - bytes;
      const kept = value.length > room ? value.subarray(0, room) : value;
      chunks.push(kept);
      bytes += kept.length;
      if (value.length > room) truncated = true;
    }
    if (bytes >= limit && !truncated) {
      truncated = !(await reader.read()).done;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  const all = new Uint8Array(bytes);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return { text: new TextDecoder().decode(all), bytes, truncated };
}

/** Drops a body we do not need, so the connection is released. */
export function discardBody(response: Response): void {
  response.body?.cancel().catch(() => {});
}
