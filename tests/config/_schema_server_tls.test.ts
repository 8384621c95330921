// `server.tls` and `server.grpc.tls` (src/config/_schema_server_tls.ts), as
// the loader takes them from a file: defaults, what each mistake is told
// (with its key path and line), and the files read and checked at load, so
// a key that does not belong to its certificate is caught by `validate`
// before `serve` ever listens. Certificates are made by openssl.

import assert from "node:assert/strict";
import { copyFileSync, writeFileSync } from "node:fs";
import { test } from "node:test";
import { loadConfig } from "../../src/config/load.ts";
import { missingOpenssl } from "../_helpers/certs.ts";
import { makeCertificates } from "../_helpers/certificate_set.ts";
import { rejectedFile } from "../_helpers/config.ts";
import { tempDir } from "../_helpers/files.ts";
import { platform } from "../_helpers/platform.ts";

const skip = { skip: missingOpenssl("the server.tls loader tests") };
const CHECKS = `checks:\n  - { name: up, type: command, command: ["true"] }\n`;

async function fixture() {
  const dir = await tempDir();
  const certs = makeCertificates(dir);
  let written = 0;
  const write = (server: string) => {
    const file = `${dir}/vitals-${++written}.yaml`;
    writeFileSync(file, `server:\n${server}\n${CHECKS}`);
    return file;
  };
  return { dir, certs, write };
}

test(
  "server.tls reads its files; clientAuth defaults to require with a clientCa, minVersion to 1.2",
  skip,
  async () => {
    const { certs, write } = await fixture();
    const config = await loadConfig(
      write(
        `  tls: { cert: "${certs.leaf}", key: "${certs.leafKey}", clientCa: "${certs.ca}" }\n` +
          `  grpc: { port: 9090, tls: { cert: "${certs.leaf}", key: "${certs.leafKey}", minVersion: 1.3 } }`,
      ),
      platform,
    );
    const tls = config.server.tls!;
    assert.equal(tls.clientAuth, "require");
    assert.equal(tls.minVersion, "1.2");
    assert.match(tls.pem?.cert ?? "", /BEGIN CERTIFICATE/);
    assert.match(tls.pem?.clientCa ?? "", /BEGIN CERTIFICATE/);
    const grpc = config.server.grpc?.tls;
    assert.equal(grpc?.minVersion, "1.3", "YAML's number 1.3 is read as the version");
    assert.equal(grpc?.clientAuth, undefined, "no client CA, no client authentication");
    assert.match(grpc?.pem?.key ?? "", /PRIVATE KEY/);
  },
);

test("each server.tls mistake is told with its key and line", skip, async () => {
  const { dir, certs, write } = await fixture();
  const cases: [string, RegExp][] = [
    [
      `  tls: { cert: "${certs.leaf}", key: "${certs.leafKey}", clientAuth: request }`,
      /:2:\d+: server\.tls\.clientAuth: expected clientCa with clientAuth/,
    ],
    [
      `  tls: { cert: "${certs.leaf}", key: "${certs.leafKey}", minVersion: 1.1 }`,
      /:2:\d+: server\.tls\.minVersion: expected one of "1\.2", "1\.3", got "1\.1"/,
    ],
    [`  tls: { cert: "${certs.leaf}" }`, /:2:\d+: server\.tls\.key: /],
    [
      `  tls: { cert: "${certs.leaf}", key: "${dir}/nowhere.key" }`,
      /:2:\d+: server\.tls\.key: cannot read ".*nowhere\.key": file does not exist/,
    ],
    [
      `  tls: { cert: "${certs.leaf}", key: "${certs.rogueKey}" }`,
      /:2:\d+: server\.tls\.key: cannot use the TLS key: it does not match the certificate/,
    ],
    [
      `  grpc: { port: 9090, tls: { cert: "${certs.leafKey}", key: "${certs.leafKey}" } }`,
      /:2:\d+: server\.grpc\.tls\.cert: ".*" does not hold a PEM certificate/,
    ],
  ];
  for (const [server, expected] of cases) {
    const error = await rejectedFile(write(server));
    assert.match(error.message, expected, server);
    assert.doesNotMatch(error.message, /[A-Za-z0-9+/]{40}/, "no file's contents quoted");
  }
});

test("a certificate file cut short is told as such, at load", skip, async () => {
  const { dir, certs, write } = await fixture();
  copyFileSync(certs.leaf, `${dir}/cut.crt`);
  const whole = await platform.readTextFile(`${dir}/cut.crt`);
  writeFileSync(`${dir}/cut.crt`, whole.slice(0, Math.floor(whole.length / 2)));
  const error = await rejectedFile(
    write(`  tls: { cert: "${dir}/cut.crt", key: "${certs.leafKey}" }`),
  );
  assert.match(error.message, /server\.tls\.cert: .*cut short/);
});

test("the private key of a TLS port is a secret the guard masks, line by line", skip, async () => {
  const { certs, write } = await fixture();
  const { configSecrets } = await import("../../src/app/guard.ts");
  const config = await loadConfig(
    write(`  tls: { cert: "${certs.leaf}", key: "${certs.leafKey}" }`),
    platform,
  );
  const secrets = configSecrets(config);
  const key = await platform.readTextFile(certs.leafKey);
  const body = key.split("\n").filter((line) => line.length >= 16 && !line.startsWith("-----"));
  assert.ok(body.length > 0);
  for (const line of body) assert.ok(secrets.includes(line), "each line of the key's body");
  assert.ok(!secrets.some((secret) => secret.includes("BEGIN CERTIFICATE")), "not the certificate");
});
