/**
 * The checks as a text table, like `kubectl get`: the body of `?format=text`
 * and what `vitals check` prints.
 *
 * @module
 */

import { escapeControl, plural } from "../text.ts";
import type { HealthStatus } from "../types.ts";

function pad(cells: string[][]): string {
  const widths = cells[0]!.map((_, column) => Math.max(...cells.map((row) => row[column]!.length)));
  return cells
    .map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd())
    .join("\n");
}

/** One line per check, then the overall status. Messages are cut to one line. */
export function textTable(status: HealthStatus): string {
  const rows = status.checks.map((check) => [
    check.status,
    check.name,
    check.type,
    check.critical ? "yes" : "no",
    `${check.durationMs}ms`,
    escapeControl(check.message.replace(/\s+/g, " ")).slice(0, 160),
  ]);
  const table = pad([["STATUS", "CHECK", "TYPE", "CRITICAL", "DURATION", "MESSAGE"], ...rows]);
  const count = plural(status.checks.length, "check");
  return `${table}

status: ${status.status} (${count} at ${status.timestamp})`;
}
