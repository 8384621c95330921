/**
 * Certificates for the TLS tests, made by openssl in a directory the test
 * owns: whether openssl is there (a skip names the reason, never silently),
 * and a self-signed P-256 certificate for a name and its subject alt names.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";

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
