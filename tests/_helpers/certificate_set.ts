/**
 * A whole set of certificates for the TLS and interop tests, made by openssl
 * in a directory the test owns: a private CA with server leaves valid,
 * expiring and expired and a client certificate, a self-signed leaf, and the
 * leaves of two more CAs (one nobody trusts, one for a runtime's trust store).
 *
 * @module
 */

import { readFileSync, writeFileSync } from "node:fs";
import { authority, keyAndRequest, selfSigned, signBetween } from "./certs.ts";

/** The certificate files of {@link makeCertificates}: absolute paths of PEM files. */
export interface Certificates {
  /** The private CA, trusted by the checks that set `tls.ca` to it. */
  readonly ca: string;
  /** Signed by `ca` for IP 127.0.0.1 and DNS localhost, valid 60 days; its key is `leafKey`. */
  readonly leaf: string;
  readonly leafKey: string;
  /** The same name and key, valid 3 days from now. */
  readonly expiring: string;
  /** The same name and key, expired 3 days ago (valid from 60 days ago). */
  readonly expired: string;
  /** Self-signed for IP 127.0.0.1 and DNS localhost, valid 30 days, with its key. */
  readonly self: string;
  readonly selfKey: string;
  /** A client certificate (extendedKeyUsage clientAuth) signed by `ca`, with its key. */
  readonly client: string;
  readonly clientKey: string;
  /** A second CA that nobody trusts, and a leaf it signed (127.0.0.1, localhost) with its key. */
  readonly rogueCa: string;
  readonly rogueLeaf: string;
  readonly rogueKey: string;
  /** `rogueLeaf` followed by `rogueCa`: the whole chain a server presents. */
  readonly rogueChain: string;
  /**
   * A third CA, for a runtime's own trust store (`DENO_CERT`, `NODE_EXTRA_CA_CERTS`),
   * and a leaf it signed (127.0.0.1, localhost) with its key.
   */
  readonly storeCa: string;
  readonly storeLeaf: string;
  readonly storeKey: string;
}

const DAY_MS = 86_400_000;

/**
 * Makes, with openssl, in `dir`: a private CA; a server leaf it signed for
 * 127.0.0.1 and localhost (valid 60 days, 3 days, and expired 3 days ago); a
 * self-signed leaf; a client certificate the CA signed; a second, untrusted
 * CA with a leaf of its own; and a third CA, for a runtime's trust store,
 * with a leaf. Takes well under a second.
 *
 * @example
 * ```ts ignore
 * const certs = makeCertificates(await tempDir());
 * // tls: {ca: certs.ca} trusts certs.leaf, certs.expiring and certs.client
 * ```
 */
export function makeCertificates(dir: string): Certificates {
  const now = Date.now();
  const server = `${dir}/server.ext`;
  writeFileSync(
    server,
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
  );
  writeFileSync(`${dir}/client.ext`, "extendedKeyUsage=clientAuth\n");
  selfSigned(dir, "self", "localhost", "IP:127.0.0.1,DNS:localhost");
  authority(dir, "ca", "/CN=vitals interop CA");
  keyAndRequest(dir, "leaf", "/CN=localhost");
  signBetween(dir, "leaf", "ca", "leaf.crt", now - DAY_MS, now + 60 * DAY_MS, server);
  signBetween(dir, "leaf", "ca", "expiring.crt", now - DAY_MS, now + 3 * DAY_MS, server);
  signBetween(dir, "leaf", "ca", "expired.crt", now - 60 * DAY_MS, now - 3 * DAY_MS, server);
  keyAndRequest(dir, "client", "/CN=vitals client");
  signBetween(dir, "client", "ca", "client.crt", now - DAY_MS, now + 30 * DAY_MS, "client.ext");
  authority(dir, "rogue-ca", "/CN=vitals rogue CA");
  keyAndRequest(dir, "rogue", "/CN=localhost");
  signBetween(dir, "rogue", "rogue-ca", "rogue.crt", now - DAY_MS, now + 30 * DAY_MS, server);
  writeFileSync(
    `${dir}/rogue-chain.crt`,
    readFileSync(`${dir}/rogue.crt`, "utf8") + readFileSync(`${dir}/rogue-ca.crt`, "utf8"),
  );
  authority(dir, "store-ca", "/CN=vitals trust store CA");
  keyAndRequest(dir, "store", "/CN=localhost");
  signBetween(dir, "store", "store-ca", "store.crt", now - DAY_MS, now + 30 * DAY_MS, server);
  return {
    ca: `${dir}/ca.crt`,
    leaf: `${dir}/leaf.crt`,
    leafKey: `${dir}/leaf.key`,
    expiring: `${dir}/expiring.crt`,
    expired: `${dir}/expired.crt`,
    self: `${dir}/self.crt`,
    selfKey: `${dir}/self.key`,
    client: `${dir}/client.crt`,
    clientKey: `${dir}/client.key`,
    rogueCa: `${dir}/rogue-ca.crt`,
    rogueLeaf: `${dir}/rogue.crt`,
    rogueKey: `${dir}/rogue.key`,
    rogueChain: `${dir}/rogue-chain.crt`,
    storeCa: `${dir}/store-ca.crt`,
    storeLeaf: `${dir}/store.crt`,
    storeKey: `${dir}/store.key`,
  };
}
