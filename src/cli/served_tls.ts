/**
 * How `probe` and `maint` speak TLS to a vitals that serves `server.tls`:
 * which certificate check an `https://` URL gets, the files `--cacert`,
 * `--cert` and `--key` (or `$VITALS_CACERT`, `$VITALS_CERT`, `$VITALS_KEY`)
 * name, and the request itself. On a loopback host the server's certificate
 * is not verified unless `--cacert` names the CA to verify it against, as
 * kubelet's HTTPS probe never verifies: nothing crosses a network there.
 * Elsewhere it is verified against `--cacert`, else the runtime's roots.
 *
 * A plain `http://` request, and an `https://` one that needs no settings,
 * go through `Platform.fetch`: only a request with TLS settings reads a file
 * or loads `node:https` (`tests/scenarios/cli_imports.test.ts`).
 *
 * @module
 */

import { hideUrlCredentials } from "../mask.ts";
import type { Platform, TlsOptions } from "../platform/platform.ts";
import { PlatformError } from "../platform/platform_error.ts";
import { type Flags, stringFlag, UsageError } from "./flags.ts";
import type { Command } from "./options.ts";

/** The largest PEM file read: a CA bundle of every public root is about 220 KB. */
const MAX_PEM_BYTES = 1_048_576;

/** A file named on the command line or in the environment, and which of them named it. */
interface Named {
  readonly file: string;
  /** `--cacert` or `VITALS_CACERT`, for messages. */
  readonly source: string;
}

/** The TLS files a command was given: `flag` first, else the environment `variable`. */
const FILES = [
  { flag: "cacert", variable: "VITALS_CACERT" },
  { flag: "cert", variable: "VITALS_CERT" },
  { flag: "key", variable: "VITALS_KEY" },
] as const;

/**
 * Whether `hostname` (as `URL.hostname` gives it) is this machine's loopback:
 * `localhost`, `127.0.0.0/8` or `::1`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isLoopback } from "./served_tls.ts";
 * assert.equal(isLoopback(new URL("https://[::1]:8443").hostname), true);
 * assert.equal(isLoopback("10.0.0.7"), false);
 * ```
 */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The PEM text of `named`, read through the platform. */
async function readPem(
  named: Named,
  platform: Pick<Platform, "readTextFile">,
  command: Command,
): Promise<string> {
  const { file, source } = named;
  let text: string;
  try {
    text = await platform.readTextFile(file, MAX_PEM_BYTES);
  } catch (error) {
    const reason = error instanceof PlatformError ? error.reason : String(error);
    throw new UsageError(`Cannot read ${source} "${file}": ${reason}`, command);
  }
  if (!text.includes("-----BEGIN ")) {
    throw new UsageError(
      `Cannot use ${source} "${file}": expected PEM text ("-----BEGIN ...")`,
      command,
    );
  }
  return text;
}

/**
 * The TLS settings of a request to `url`, or `undefined` when it needs none
 * (`http://`, or `https://` to another host verified against the runtime's
 * roots, without a client certificate): then `Platform.fetch` sends it.
 *
 * @throws {UsageError} for a TLS file with an `http://` URL, `--cert` without
 * `--key` or the reverse, or a file that cannot be read or is not PEM
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { servedTls } from "./served_tls.ts";
 * const platform = { env: () => ({}), readTextFile: () => Promise.reject(new Error("unused")) };
 * assert.deepEqual(await servedTls("https://127.0.0.1:8443/", {}, platform, "probe"), {
 *   insecureSkipVerify: true,
 * });
 * assert.equal(await servedTls("https://vitals.example/", {}, platform, "probe"), undefined);
 * ```
 */
export async function servedTls(
  url: string,
  flags: Flags,
  platform: Pick<Platform, "env" | "readTextFile">,
  command: Command,
): Promise<TlsOptions | undefined> {
  const env = platform.env();
  const [ca, cert, key] = FILES.map(({ flag, variable }): Named | undefined => {
    const file = stringFlag(flags, flag);
    if (file !== undefined) return { file, source: `--${flag}` };
    return env[variable] ? { file: env[variable], source: variable } : undefined;
  });
  const source = [ca, cert, key].find((named) => named !== undefined)?.source;
  const target = new URL(url);
  if (target.protocol !== "https:") {
    if (source === undefined) return undefined;
    throw new UsageError(
      `Cannot use ${source} with "${hideUrlCredentials(url)}": ` +
        "TLS files need an https:// URL (VITALS_TLS=1 makes 127.0.0.1's one https)",
      command,
    );
  }
  if ((cert === undefined) !== (key === undefined)) {
    const [source, flag] = cert ? [cert.source, "--key"] : [key!.source, "--cert"];
    throw new UsageError(
      `Invalid ${source} without ${flag}: a client certificate needs both`,
      command,
    );
  }
  const loopback = isLoopback(target.hostname);
  if (ca === undefined && cert === undefined && !loopback) return undefined;
  return {
    ...(ca === undefined ? {} : { ca: await readPem(ca, platform, command) }),
    ...(cert === undefined ? {} : {
      cert: await readPem(cert, platform, command),
      key: await readPem(key!, platform, command),
    }),
    ...(ca === undefined && loopback ? { insecureSkipVerify: true } : {}),
  };
}

/**
 * Sends the request: over `Platform.fetch` without `tls`, else over
 * `Platform.fetchTls`, whose failed handshake says what failed (a refusal
 * for want of a client certificate names `--cert` and `--key`).
 *
 * @example
 * ```ts ignore
 * const response = await sendServed(platform, url, { signal }, await servedTls(url, flags, platform, "probe"));
 * ```
 */
export async function sendServed(
  platform: Pick<Platform, "fetch" | "fetchTls">,
  url: string,
  init: RequestInit,
  tls: TlsOptions | undefined,
): Promise<Response> {
  if (tls === undefined) return platform.fetch(url, init);
  try {
    return (await platform.fetchTls(url, init, tls)).response;
  } catch (error) {
    const detail = error instanceof PlatformError && error.code === "ETLS"
      ? error.detail
      : undefined;
    if (detail?.includes("set tls.cert and tls.key")) {
      throw new PlatformError("ETLS", detail.replace("tls.cert and tls.key", "--cert and --key"), {
        cause: error,
      });
    }
    throw error;
  }
}
