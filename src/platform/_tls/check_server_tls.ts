/**
 * `Platform.checkServerTls` on both runtimes: reads a serving port's
 * certificate chain, key and client CA, checks that the key belongs to the
 * certificate, and tells what the certificate says about itself.
 *
 * Checked here, not left to `node:tls`: Deno 2.9.6's `createSecureContext`
 * takes a key that does not match the certificate, and a client CA that is
 * not a certificate at all, without a word (Bun's refuses both), and neither
 * runtime says that a PEM file was cut short. So every certificate is parsed
 * with `node:crypto`'s `X509Certificate` and the key with `createPrivateKey`,
 * and each problem gets its own message.
 *
 * `node:crypto` is reached through `process.getBuiltinModule` on the first
 * call, never imported: the check is synchronous (a reload must refuse a bad
 * pair before it changes anything) and Bun's bundler hoists a static `node:`
 * import to the start of every command.
 *
 * @module
 */

import type { KeyObject, X509Certificate } from "node:crypto";
import type { ServerCertificate, ServerTls } from "../platform.ts";

/** The part of `node:crypto` used here. */
interface Crypto {
  X509Certificate: new (pem: string) => X509Certificate;
  createPrivateKey(pem: string): KeyObject;
}

function crypto(): Crypto {
  const process = (globalThis as unknown as {
    process: { getBuiltinModule(id: "node:crypto"): Crypto };
  }).process;
  return process.getBuiltinModule("node:crypto");
}

const BEGIN = /-----BEGIN ([A-Z0-9 ]+)-----/g;

/** Why `error` was thrown, as a short phrase. */
function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The certificates in `pem`, parsed, in order; or, as a phrase, why not:
 * there is none, one is cut short or one cannot be read.
 */
function certificates(pem: string): X509Certificate[] | string {
  const found: X509Certificate[] = [];
  for (const match of pem.matchAll(BEGIN)) {
    if (match[1] !== "CERTIFICATE") continue;
    const ordinal = found.length + 1;
    const end = pem.indexOf("-----END CERTIFICATE-----", match.index);
    const next = pem.indexOf("-----BEGIN", match.index + match[0].length);
    if (end < 0 || (next >= 0 && next < end)) {
      return `certificate ${ordinal} has no "END CERTIFICATE" line (is the file cut short?)`;
    }
    const block = pem.slice(match.index, end + "-----END CERTIFICATE-----".length);
    try {
      found.push(new (crypto().X509Certificate)(block));
    } catch (error) {
      return `certificate ${ordinal} cannot be read (${reason(error)})`;
    }
  }
  return found.length > 0 ? found : 'it holds no "BEGIN CERTIFICATE" block';
}

/** The private key in `pem`; or, as a phrase, why it cannot be used. */
function privateKey(pem: string): KeyObject | string {
  const label = [...pem.matchAll(BEGIN)].map((match) => match[1]!)
    .find((name) => name.endsWith("PRIVATE KEY"));
  if (label === undefined) return 'it holds no "BEGIN PRIVATE KEY" block';
  if (!pem.includes(`-----END ${label}-----`)) {
    return `it has no "END ${label}" line (is the file cut short?)`;
  }
  if (label === "ENCRYPTED PRIVATE KEY" || /Proc-Type: 4,ENCRYPTED/.test(pem)) {
    return "it is encrypted, and vitals takes keys without a passphrase";
  }
  try {
    return crypto().createPrivateKey(pem);
  } catch (error) {
    return `the "${label}" block cannot be read (${reason(error)})`;
  }
}

/** A certificate's subject on one line, as `CN=localhost, O=Example`. */
function subjectOf(certificate: X509Certificate): string {
  return certificate.subject.split("\n").join(", ");
}

/**
 * Checks `tls` without serving it: the chain's certificates and the client
 * CA's are readable, the key is readable and belongs to the first
 * certificate, and `clientAuth` has a `clientCa` to verify against. Throws a
 * `TypeError` naming the problem; returns what the leaf certificate says.
 *
 * @example
 * ```ts ignore
 * const leaf = checkServerTls({ cert, key, minVersion: "TLSv1.2" });
 * console.log(leaf.serial, leaf.subject, new Date(leaf.notAfterMs));
 * ```
 */
export function checkServerTls(tls: ServerTls): ServerCertificate {
  const chain = certificates(tls.cert);
  if (typeof chain === "string") throw new TypeError(`Cannot use the TLS certificate: ${chain}`);
  const leaf = chain[0]!;
  const key = privateKey(tls.key);
  if (typeof key === "string") throw new TypeError(`Cannot use the TLS key: ${key}`);
  // openssl prints whole bytes ("0A1B"); Deno 2.9.6 drops a leading zero ("A1B").
  const hex = leaf.serialNumber.toUpperCase();
  const serial = hex.length % 2 === 1 ? `0${hex}` : hex;
  const subject = subjectOf(leaf);
  let matches: boolean;
  try {
    matches = leaf.checkPrivateKey(key);
  } catch {
    matches = false; // a key of another type (an RSA key for an EC certificate)
  }
  if (!matches) {
    throw new TypeError(
      `Cannot use the TLS key: it does not match the certificate "${subject}, serial ${serial}"`,
    );
  }
  const authorities = tls.clientCa === undefined ? [] : certificates(tls.clientCa);
  if (typeof authorities === "string") {
    throw new TypeError(`Cannot use the TLS client CA: ${authorities}`);
  }
  if (tls.clientCa === undefined && tls.clientAuth !== undefined) {
    throw new TypeError(
      `Cannot use TLS client authentication "${tls.clientAuth}": no client CA is given to verify client certificates against`,
    );
  }
  const notAfter = (leaf as X509Certificate & { validToDate?: Date }).validToDate;
  return { serial, subject, notAfterMs: notAfter?.getTime() ?? Date.parse(leaf.validTo) };
}
