/**
 * `Platform.readTextFile` on both runtimes: a file as UTF-8 text, read
 * whole by the runtime's own reader, or with a cap: a config path that names
 * `/dev/zero` or a huge file fails with `EFBIG` once past the cap instead of
 * filling memory. The capped read uses `node:fs`, which both runtimes
 * provide and which, unlike `Bun.file`, reads character devices.
 *
 * @module
 */

import type { Platform } from "../platform.ts";
import { PlatformError, withPlatformErrors } from "../platform_error.ts";

/**
 * `Platform.readTextFile` over `readWhole`, the runtime's reader for a read
 * without a cap; with one, {@link readCapped}. Rejects with a `PlatformError`.
 *
 * @example
 * ```ts ignore
 * const readTextFile = textFileReader((path) => Deno.readTextFile(path));
 * await readTextFile("vitals.yaml", 1024 * 1024);
 * ```
 */
export function textFileReader(
  readWhole: (path: string) => Promise<string>,
): Platform["readTextFile"] {
  return (path, maxBytes = Infinity) =>
    withPlatformErrors(() => maxBytes === Infinity ? readWhole(path) : readCapped(path, maxBytes));
}

/**
 * The file's text, or a `PlatformError` `EFBIG` when it holds more than
 * `maxBytes`. Other failures reject as `node:fs` does (with a `code`).
 *
 * @example
 * ```ts ignore
 * await readCapped("/dev/zero", 1024); // rejects: file too large: more than 1024 bytes
 * ```
 */
export async function readCapped(path: string, maxBytes: number): Promise<string> {
  // Imported here, not statically: Bun's bundler hoists static `node:` imports
  // to the start of every command (BENCHMARKS.md, "`vitals probe` start to exit").
  const { open } = await import("node:fs/promises");
  const file = await open(path, "r");
  try {
    const bytes = new Uint8Array(maxBytes + 1);
    let total = 0;
    while (total < bytes.length) {
      const { bytesRead } = await file.read(bytes, total, bytes.length - total);
      if (bytesRead === 0) break;
      total += bytesRead;
    }
    if (total > maxBytes) throw new PlatformError("EFBIG", `more than ${maxBytes} bytes`);
    return new TextDecoder().decode(bytes.subarray(0, total));
  } finally {
    await file.close();
  }
}
