/**
 * Keeps the maintenance switch in a file when `server.maintenanceFile` is
 * set, so that an instance taken out of rotation stays out across a restart
 * (in Kubernetes, a container restart keeps an `emptyDir`). At start the
 * switch takes the state the file holds; after that, each change is written
 * there atomically (`Platform.writeFileAtomic`). The file holds what
 * `GET /maintenance` answers: `{"on":false}` or
 * `{"on":true,"reason":...,"since":...,"groups":[...]}`.
 *
 * Nothing here ends vitals: a missing file means off; an unreadable or
 * malformed one is logged as an error and the switch starts off; a failed
 * write is logged as an error and the switch changes in memory all the same.
 * The path is read at each write, so after a reload that changes it the next
 * change goes to the new file (the old one is left where it is). Without the
 * key, nothing is read or written.
 *
 * @module
 */

import type { Maintenance, MaintenanceState, SavedMaintenance } from "../engine/maintenance.ts";
import type { Logger } from "../log.ts";
import type { Platform } from "../platform/platform.ts";
import { PlatformError } from "../platform/platform_error.ts";

/** The largest maintenance file read, in bytes: a state is far smaller. */
const MAX_BYTES = 64 * 1024;

/** The file's text for `state`: the JSON `GET /maintenance` answers, and a newline. */
export function maintenanceFileText(state: MaintenanceState): string {
  return `${JSON.stringify(state)}\n`;
}

/**
 * The state a maintenance file holds, its reason and groups not yet checked
 * ({@link Maintenance.restore} does that).
 *
 * @throws {TypeError} when the text is not such a state
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMaintenanceFile } from "./maintenance_file.ts";
 * assert.deepEqual(parseMaintenanceFile('{"on":false}'), { on: false });
 * assert.throws(() => parseMaintenanceFile("on"), /expected JSON/);
 * ```
 */
export function parseMaintenanceFile(text: string): SavedMaintenance {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TypeError('Invalid maintenance file: expected JSON such as {"on":false}');
  }
  const state = (typeof value === "object" && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  if (state["on"] === false) return { on: false };
  if (state["on"] !== true) {
    throw new TypeError('Invalid maintenance file: expected "on" to be true or false');
  }
  const { reason, since, groups } = state;
  if (typeof reason !== "string") {
    throw new TypeError('Invalid maintenance file: expected "reason" to be text');
  }
  if (typeof since !== "string" || Number.isNaN(Date.parse(since))) {
    throw new TypeError('Invalid maintenance file: expected "since" to be an ISO 8601 time');
  }
  if (!Array.isArray(groups) || groups.some((group) => typeof group !== "string")) {
    throw new TypeError('Invalid maintenance file: expected "groups" to be a list of names');
  }
  return { on: true, reason, since: new Date(since).toISOString(), groups };
}

/** What {@link keepMaintenanceFile} needs. */
export interface MaintenanceFileDeps {
  readonly platform: Pick<Platform, "readTextFile" | "writeFileAtomic">;
  readonly log: Logger;
  /** The configured `server.maintenanceFile`, read at start and at each change; unset: no file. */
  readonly path: () => string | undefined;
}

/** Why `error` happened, for a log line. */
const why = (error: unknown) =>
  error instanceof PlatformError
    ? error.reason
    : error instanceof Error
    ? error.message
    : `${error}`;

/**
 * Restores `maintenance` from the file (when one is configured) and writes
 * every later change to it. Never rejects.
 *
 * @example
 * ```ts ignore
 * await keepMaintenanceFile(app.health.maintenance, {
 *   platform, log, path: () => app.config.server.maintenanceFile,
 * });
 * ```
 */
export async function keepMaintenanceFile(
  maintenance: Maintenance,
  deps: MaintenanceFileDeps,
): Promise<void> {
  const { platform, log } = deps;
  const start = deps.path();
  if (start) {
    try {
      const saved = parseMaintenanceFile(await platform.readTextFile(start, MAX_BYTES));
      if (saved.on) maintenance.restore(saved, `the file "${start}"`);
    } catch (error) {
      if (!(error instanceof PlatformError && error.code === "ENOENT")) {
        log.error(
          `Cannot restore the maintenance switch from "${start}": ${why(error)}; it starts off`,
          { file: start },
        );
      }
    }
  }
  // One write at a time, each of the state as it is by then: the last change is the one kept.
  let writing = false;
  let again = false;
  const write = async () => {
    writing = true;
    try {
      do {
        again = false;
        const path = deps.path();
        if (!path) continue;
        try {
          await platform.writeFileAtomic(path, maintenanceFileText(maintenance.state));
        } catch (error) {
          log.error(`Cannot write the maintenance switch to "${path}": ${why(error)}`, {
            file: path,
          });
        }
      } while (again);
    } finally {
      writing = false;
    }
  };
  maintenance.onChange(() => {
    if (writing) again = true;
    else void write();
  });
}
