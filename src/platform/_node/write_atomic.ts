/**
 * `Platform.writeFileAtomic` on both runtimes, over `node:fs/promises`: the
 * text goes to a new temporary file beside the target, is flushed to disk,
 * and is renamed over the target, so a reader (or a restart after a crash)
 * sees the old file or the new one, never a part of either. A failure
 * removes the temporary file and rejects with a `PlatformError`.
 *
 * @module
 */

import { toPlatformError } from "../platform_error.ts";

/** The temporary file's name: hidden, beside `path`, unique to this call. */
function temporaryPath(path: string): string {
  const slash = path.lastIndexOf("/");
  const [dir, base] = slash < 0 ? ["", path] : [path.slice(0, slash + 1), path.slice(slash + 1)];
  return `${dir}.${base}.${crypto.randomUUID().slice(0, 8)}.tmp`;
}

/**
 * Replaces `path` with `text` atomically (temporary file, flush, rename).
 *
 * @example
 * ```ts ignore
 * await writeFileAtomic("/var/run/vitals/maintenance.json", '{"on":false}');
 * ```
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const fs = await import("node:fs/promises");
  const temporary = temporaryPath(path);
  try {
    // "wx": never follows or reuses a file someone put there.
    const file = await fs.open(temporary, "wx", 0o644);
    try {
      await file.writeFile(text, "utf8");
      await file.sync();
    } finally {
      await file.close();
    }
    await fs.rename(temporary, path);
  } catch (error) {
    await fs.rm(temporary, { force: true }).catch(() => {});
    throw toPlatformError(error);
  }
}
