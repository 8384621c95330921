/**
 * The `file` check: a path exists and, with `maxAge`, was modified recently
 * (a heartbeat that a cron job or a worker touches), and with `minSize` holds
 * at least that many bytes. Symbolic links are followed; a directory is DOWN.
 *
 * @module
 */

import type { Clock } from "../clock.ts";
import { formatDuration } from "../config/duration.ts";
import type { CheckConfigOf } from "../config/resolve.ts";
import type { Platform } from "../platform/platform.ts";
import { PlatformError } from "../platform/platform_error.ts";
import { down, type Inspect, up } from "./check.ts";

/**
 * Creates the inspection for a file check. Ages are measured on `clock`'s wall
 * time, the only time a file's modification time can be compared with; a
 * modification time in the future counts as age 0.
 *
 * @example
 * ```ts ignore
 * const inspect = fileInspect({ ...config, path: "/var/run/worker.beat", maxAge: 60_000 }, platform, systemClock);
 * await inspect(signal); // { status: "DOWN", message: '"/var/run/worker.beat" last modified 3m12s ago, more than maxAge 1m' }
 * ```
 */
export function fileInspect(
  config: CheckConfigOf<"file">,
  platform: Pick<Platform, "stat">,
  clock: Clock,
): Inspect {
  const shown = JSON.stringify(config.path);
  return async () => {
    let info;
    try {
      info = await platform.stat(config.path);
    } catch (error) {
      if (error instanceof PlatformError && (error.code === "ENOENT" || error.code === "ENOTDIR")) {
        return down(`${shown} does not exist`);
      }
      return down(`cannot check ${shown}: ${error instanceof Error ? error.message : error}`);
    }
    if (info.isDirectory) return down(`${shown} is a directory, not a file`);
    if (config.minSize !== undefined && info.size < config.minSize) {
      return down(`${shown} is ${info.size} bytes, less than minSize ${config.minSize}`);
    }
    const age = Math.max(0, clock.date().getTime() - info.mtimeMs);
    const ago = `last modified ${formatDuration(age)} ago`;
    if (config.maxAge !== undefined && age > config.maxAge) {
      return down(`${shown} ${ago}, more than maxAge ${formatDuration(config.maxAge)}`);
    }
    return up(`${shown} exists, ${ago}`);
  };
}
