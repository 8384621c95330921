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

import type { Platform, ServerTls } from "../platform/platform.ts";
import { PlatformError } from "../platform/platform_error.ts";
import type { Config } from "./resolve.ts";

import type { ServerTlsPem, ServerTlsSettings } from "./_schema_server_tls.ts";

export type { TlsPem, TlsSettings } from "./_schema_tls.ts";
export type { ServerTlsPem, ServerTlsSettings } from "./_schema_server_tls.ts";

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
 * The platform's TLS settings for a port's config, once its files are read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serverTlsOf } from "./tls_files.ts";
 * const tls = serverTlsOf({ cert: "c", key: "k", minVersion: "1.3", pem: { cert: "C", key: "K" } });
 * assert.equal(tls.minVersion, "TLSv1.3");
 * assert.equal(tls.cert, "C");
 * ```
 */
export function serverTlsOf(settings: ServerTlsSettings): ServerTls {
  if (!settings.pem) {
    throw new TypeError("Cannot use the TLS settings: their files have not been read yet");
  }
  return {
    cert: settings.pem.cert,
    key: settings.pem.key,
    clientCa: settings.pem.clientCa,
    clientAuth: settings.clientAuth,
    minVersion: settings.minVersion === "1.3" ? "TLSv1.3" : "TLSv1.2",
  };
}

/** The setting a pair check's message is about: the key, the client CA, else the certificate. */
function settingOf(message: string): "cert" | "key" | "clientCa" {
  return /\bclient CA\b/i.test(message) ? "clientCa" : /\bTLS key\b/.test(message) ? "key" : "cert";
}

/**
 * Reads a port's TLS files (`server.tls`, `server.grpc.tls`): their PEM text,
 * or a problem per file that cannot be used, keyed by its setting. Also what
 * re-reads them while serving, to pick up a rotated certificate.
 *
 * @example
 * ```ts ignore
 * const read = await readServerTlsFiles(config.server.tls!, platform);
 * if ("pem" in read) read.pem.cert; // "-----BEGIN CERTIFICATE-----\n..."
 * ```
 */
export async function readServerTlsFiles(
  tls: ServerTlsSettings,
  platform: ServerTlsPlatform,
): Promise<{ pem: ServerTlsPem } | { problems: TlsFileProblem[] }> {
  const files = [["cert", "cert"], ["key", "key"], ["clientCa", "ca"]] as const;
  const problems: TlsFileProblem[] = [];
  const pem: Record<string, string> = {};
  await Promise.all(files.map(async ([setting, kind]) => {
    const file = tls[setting];
    if (file === undefined) return;
    const read = await readPem(file, kind, platform);
    if ("text" in read) pem[setting] = read.text;
    else problems.push({ path: [setting], message: read.problem });
  }));
  if (problems.length > 0) return { problems };
  const read = pem as unknown as ServerTlsPem;
  // A key that does not belong to its certificate is a config problem too, where it can be checked.
  try {
    platform.checkServerTls?.(serverTlsOf({ ...tls, pem: read }));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const lower = message.charAt(0).toLowerCase() + message.slice(1);
    return { problems: [{ path: [settingOf(message)], message: lower }] };
  }
  return { pem: read };
}

/** What reading a port's TLS files needs: files, and where the platform has it, the pair check. */
export type ServerTlsPlatform =
  & Pick<Platform, "readTextFile">
  & Partial<Pick<Platform, "checkServerTls">>;

/** Reads the files of `server.tls` and `server.grpc.tls` into their `pem`. */
async function readServerFiles(
  server: Config["server"],
  platform: ServerTlsPlatform,
  problems: TlsFileProblem[],
): Promise<Config["server"]> {
  const read = async (tls: ServerTlsSettings | undefined, at: readonly string[]) => {
    if (tls === undefined) return undefined;
    const result = await readServerTlsFiles(tls, platform);
    if ("pem" in result) return { ...tls, pem: result.pem };
    for (const problem of result.problems) {
      problems.push({ path: [...at, ...problem.path], message: problem.message });
    }
    return tls;
  };
  const [tls, grpcTls] = await Promise.all([
    read(server.tls, ["server", "tls"]),
    read(server.grpc?.tls, ["server", "grpc", "tls"]),
  ]);
  return {
    ...server,
    ...(tls ? { tls } : {}),
    ...(server.grpc && grpcTls ? { grpc: { ...server.grpc, tls: grpcTls } } : {}),
  };
}

/**
 * Reads the TLS files of every check into its `tls.pem`, each file once, and
 * those of vitals' own ports (`server.tls`, `server.grpc.tls`).
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
  platform: ServerTlsPlatform,
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
  const server = await readServerFiles(config.server, platform, problems);
  return { config: { ...config, server, checks }, problems };
}
