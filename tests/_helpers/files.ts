/**
 * The repository root, and temporary files and directories for tests.
 *
 * @module
 */

import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";

/** The repository root, with a trailing slash. */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** A new, empty temporary directory. */
export function tempDir(): Promise<string> {
  return mkdtemp(`${tmpdir()}/vitals-test-`);
}

/** Writes `text` to a new file in a new temporary directory; returns its path and directory. */
export async function tempFile(name: string, text: string): Promise<{ path: string; dir: string }> {
  const dir = await tempDir();
  const path = `${dir}/${name}`;
  await writeFile(path, text);
  return { path, dir };
}
