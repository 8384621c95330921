/**
 * Text that tries to escape its line (a check message forging a log line and
 * colouring the terminal), how vitals must show it, and escaping text for a
 * RegExp.
 *
 * @module
 */

/**
 * A check message that tries to forge a log line of its own (after a newline)
 * and to colour the terminal (ESC sequences), as a hostile server or command
 * could print.
 */
export const FORGED_MESSAGE =
  "db down\n2026-01-01T00:00:00.000Z ERROR forged\u001b[31m red\u001b[0m";

/** {@link FORGED_MESSAGE} as `escapeControl` shows it: one line, escapes visible. */
export const FORGED_ESCAPED =
  "db down\\n2026-01-01T00:00:00.000Z ERROR forged\\u001b[31m red\\u001b[0m";

/** Whether `text` holds a raw line break or ESC. */
export function hasRawControl(text: string): boolean {
  return ["\n", "\r", "\u001b", "\u2028", "\u2029"].some((char) => text.includes(char));
}

/** Escapes `text` for use inside a RegExp. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
