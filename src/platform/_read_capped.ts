/**
 * Reads a file as UTF-8 text, but never more than a cap: a config path that
 * names `/dev/zero` or a huge file fails with `EFBIG` once past the cap
 * instead of filling memory. Uses `node:fs`, which both runtimes provide and
 * which, unlike `Bun.file`, reads character devices.
 *
 * @module
 */

import { PlatformError } from "./platform_error.ts";

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
  // to the start of every command.
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
