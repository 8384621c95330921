/**
 * Certificates made by openssl, in a directory the test owns: whether openssl
 * is there (a skip names the reason, never silently), a self-signed P-256
 * certificate, a key with its signing request, a CA, and a certificate a CA
 * signs for any dates, past ones too. certificate_set.ts makes a whole set
 * from these.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { missingTool } from "./tools.ts";

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
  return missingTool(what, "openssl", ["version"]);
}

/** `openssl req` arguments for a new P-256 key, unencrypted, written to `name.key`. */
function newKey(name: string): string[] {
  return [
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    `${name}.key`,
  ];
}

/**
 * A self-signed P-256 certificate (`name.crt`) and its key (`name.key`) in
 * `dir`, for `subject`, valid from now for `days`, with the extensions
 * `extensions` (`-addext` values).
 */
function selfCertificate(
  dir: string,
  name: string,
  subject: string,
  days: number,
  extensions: string[],
): void {
  const added = extensions.flatMap((extension) => ["-addext", extension]);
  const validity = ["-days", String(days), "-subj", subject];
  openssl(dir, "req", "-x509", ...newKey(name), "-out", `${name}.crt`, ...validity, ...added);
}

/**
 * A self-signed P-256 certificate (`name.crt`) and its key (`name.key`) in
 * `dir`, for `/CN=<cn>` with `subjectAltName` `san` (such as
 * `IP:127.0.0.1`), valid from now for `days`.
 */
export function selfSigned(dir: string, name: string, cn: string, san: string, days = 30): void {
  selfCertificate(dir, name, `/CN=${cn}`, days, [`subjectAltName=${san}`]);
}

/** `openssl ca`'s date format, UTCTime: YYMMDDHHMMSSZ. */
function utcTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, "").slice(2, 14) + "Z";
}

/** A new P-256 key (`name.key`) and a request for a certificate of `subject` (`name.csr`). */
export function keyAndRequest(dir: string, name: string, subject: string): void {
  openssl(dir, "req", "-new", ...newKey(name), "-out", `${name}.csr`, "-subj", subject);
}

/** A self-signed CA certificate (`name.crt`) and its key (`name.key`), valid `days` from now. */
export function authority(dir: string, name: string, subject: string, days = 365): void {
  selfCertificate(dir, name, subject, days, [
    "basicConstraints=critical,CA:TRUE",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
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
