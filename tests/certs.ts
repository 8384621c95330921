/**
 * Certificates for the TLS tests, made by openssl in a directory the test
 * owns: whether openssl is there (a skip names the reason, never silently),
 * a self-signed P-256 certificate for a name and its subject alt names, and
 * a whole set for the interop suite ({@link makeCertificates}): a private CA
 * with server leaves valid, expiring and expired and a client certificate,
 * and the leaves of two more CAs (one nobody trusts, one for a runtime's
 * trust store).
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

/** Runs openssl in `dir`; fails the test with its stderr when it fails. Returns stdout. */
export function openssl(dir: string, ...args: string[]): string {
  const ran = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
  assert.equal(ran.status, 0, `openssl ${args.join(" ")} failed: ${ran.stderr}${ran.error ?? ""}`);
  return ran.stdout;
}

/**
 * Why tests needing openssl cannot run, or `false` when they can. The reason
 * is printed with `what`, so a skip is never silent.
 */
export function missingOpenssl(what: string): string | false {
  const ran = spawnSync("openssl", ["version"], { encoding: "utf8" });
  if (!ran.error && ran.status === 0) return false;
  const reason = `openssl is not installed (${ran.error?.message ?? `exit ${ran.status}`})`;
  console.log(`skipping ${what}: ${reason}`);
  return reason;
}

/**
 * A self-signed P-256 certificate (`name.crt`) and its key (`name.key`) in
 * `dir`, for `/CN=<cn>` with `subjectAltName` `san` (such as
 * `IP:127.0.0.1`), valid from now for `days`.
 */
export function selfSigned(dir: string, name: string, cn: string, san: string, days = 30): void {
  openssl(
    dir,
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.crt`,
    "-days",
    String(days),
    "-subj",
    `/CN=${cn}`,
    "-addext",
    `subjectAltName=${san}`,
  );
}

/** `openssl ca`'s date format, UTCTime: YYMMDDHHMMSSZ. */
function utcTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, "").slice(2, 14) + "Z";
}

/** A new P-256 key (`name.key`) and a request for a certificate of `subject` (`name.csr`). */
function keyAndRequest(dir: string, name: string, subject: string): void {
  openssl(
    dir,
    "req",
    "-new",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.csr`,
    "-subj",
    subject,
  );
}

/** A self-signed CA certificate (`name.crt`) and its key (`name.key`), valid `days` from now. */
export function authority(dir: string, name: string, subject: string, days = 365): void {
  openssl(
    dir,
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.crt`,
    "-days",
    String(days),
    "-subj",
    subject,
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  );
}

/**
 * Signs the request `csr` (`csr.csr` in `dir`) with the CA `ca` into `out`,
 * from `fromMs` to `toMs` (ms since the epoch), with the extensions in the
 * file `ext`. `openssl ca` is used because it takes any dates, past ones too
 * (`x509 -days` cannot make an expired certificate).
 */
export function signBetween(
  dir: string,
  csr: string,
  ca: string,
  out: string,
  fromMs: number,
  toMs: number,
  ext: string,
): void {
  const config = `${dir}/${ca}-ca.cnf`;
  if (!existsSync(config)) {
    writeFileSync(
      config,
      [
        "[ca]",
        "default_ca = test_ca",
        "[test_ca]",
        `database = ${dir}/${ca}-index.txt`,
        `new_certs_dir = ${dir}`,
        `serial = ${dir}/${ca}-ca.srl`,
        "default_md = sha256",
        "policy = any",
        "unique_subject = no",
        "[any]",
        "commonName = supplied",
        "",
      ].join("\n"),
    );
    writeFileSync(`${dir}/${ca}-index.txt`, "");
    writeFileSync(`${dir}/${ca}-ca.srl`, "1000\n");
  }
  openssl(
    dir,
    "ca",
    "-batch",
    "-config",
    config,
    "-cert",
    `${ca}.crt`,
    "-keyfile",
    `${ca}.key`,
    "-in",
    `${csr}.csr`,
    "-out",
    out,
    "-notext",
    "-startdate",
    utcTime(fromMs),
    "-enddate",
    utcTime(toMs),
    "-extfile",
    ext,
  );
}

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
