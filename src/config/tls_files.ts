/**
 * The files of a check's `tls` settings (`ca`, `cert`, `key`): read when the
 * config is loaded, so a missing, unreadable or non-PEM file is a config
 * problem that names the file and the key, and a running check never touches
 * the file system. Relative paths start at vitals' working directory, as the
 * `file` check's do. The key file's contents are a secret (see secrets.ts):
 * no message quotes any file's contents.
 *
 * @module
 */

import type { Platform } from "../platform/platform.ts";
import { PlatformError } from "../platform/platform_error.ts";
import type { Config } from "./resolve.ts";

export type { TlsPem, TlsSettings } from "./_schema_tls.ts";

/** A TLS file that cannot be used: its key path and what is wrong, as a config problem says it. */
export interface TlsFileProblem {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** The largest TLS file read (1 MiB); a certificate chain is a few kilobytes. */
export const MAX_PEM_BYTES = 1024 * 1024;

const FILE_KEYS = ["ca", "cert", "key"] as const;

/** What a file at each key must hold, and the PEM block that shows it. */
const EXPECTED: Record<(typeof FILE_KEYS)[number], { what: string; block: RegExp; shown: string }> =
  {
    ca: {
      what: "PEM certificates",
      block: /-----BEGIN CERTIFICATE-----/,
      shown: "-----BEGIN CERTIFICATE-----",
    },
    cert: {
      what: "a PEM certificate",
      block: /-----BEGIN CERTIFICATE-----/,
      shown: "-----BEGIN CERTIFICATE-----",
    },
    key: {
      what: "a PEM private key",
      block: /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----/,
      shown: "-----BEGIN PRIVATE KEY-----",
    },
  };

/** Reads one file, or says (without quoting its contents) why it cannot be used. */
async function readPem(
  file: string,
  key: (typeof FILE_KEYS)[number],
  platform: Pick<Platform, "readTextFile">,
): Promise<{ text: string } | { problem: string }> {
  // PEM text pasted where a file name belongs must not be quoted back: it may be a key.
  if (file.includes("-----BEGIN") || /[\r\n]/.test(file)) {
    return {
      problem: "expected a file path, got PEM text: put it in a file and give the file's path",
    };
  }
  const shown = JSON.stringify(file);
  let text: string;
  try {
    text = await platform.readTextFile(file, MAX_PEM_BYTES);
  } catch (error) {
    const reason = !(error instanceof PlatformError)
      ? String(error)
      : error.code === "EFBIG"
      ? `the file is larger than ${MAX_PEM_BYTES} bytes`
      : error.reason;
    return { problem: `cannot read ${shown}: ${reason}` };
  }
  const expected = EXPECTED[key];
  if (key === "key" && /-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(text)) {
    return {
      problem: `${shown} holds an encrypted private key: expected one without a passphrase`,
    };
  }
  if (!expected.block.test(text)) {
    return {
      problem: `${shown} does not hold ${expected.what}: expected a "${expected.shown}" block`,
    };
  }
  return { text };
}

/**
 * Reads the TLS files of every check into its `tls.pem`, each file once.
 * Returns the config with the files' contents, and the problems found (the
 * config is unusable when there are any).
 *
 * @example
 * ```ts ignore
 * const { config: read, problems } = await readTlsFiles(config, platform);
 * read.checks[0].tls?.pem?.ca; // "-----BEGIN CERTIFICATE-----\n..."
 * ```
 */
export async function readTlsFiles(
  config: Config,
  platform: Pick<Platform, "readTextFile">,
): Promise<{ config: Config; problems: TlsFileProblem[] }> {
  const reads = new Map<string, ReturnType<typeof readPem>>();
  const problems: TlsFileProblem[] = [];
  const checks = await Promise.all(config.checks.map(async (check, index) => {
    const tls = "tls" in check ? check.tls : undefined;
    if (tls === undefined) return check;
    const pem: Record<string, string> = {};
    for (const key of FILE_KEYS) {
      const file = tls[key];
      if (file === undefined) continue;
      const id = `${key}\n${file}`;
      if (!reads.has(id)) reads.set(id, readPem(file, key, platform));
      const read = await reads.get(id)!;
      if ("text" in read) pem[key] = read.text;
      else problems.push({ path: ["checks", index, "tls", key], message: read.problem });
    }
    return { ...check, tls: { ...tls, pem } };
  }));
  return { config: { ...config, checks }, problems };
}
