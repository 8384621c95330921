// Platform.checkServerTls (src/platform/_tls/check_server_tls.ts), on the
// runtime under test, with certificates and keys openssl made: what a good
// pair says about itself matches what openssl prints, and each kind of broken
// input (a key of another certificate or type, files cut short, no
// certificate, an encrypted key, a client CA that is not one) is refused with
// a message that names the problem. Without openssl the tests skip and say why.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { missingOpenssl, openssl } from "../../_helpers/certs.ts";
import { tempDir } from "../../_helpers/files.ts";
import { platform } from "../../_helpers/platform.ts";
import { leafTls as leafTlsOf, serialOf, sharedPemSet } from "../../_helpers/tls_peers.ts";
import type { ServerTls } from "../../../src/platform/platform.ts";

const skip = { skip: missingOpenssl("the server TLS checks") };

const certs = sharedPemSet;

async function leafTls(over: Partial<ServerTls> = {}): Promise<ServerTls> {
  return leafTlsOf(await certs(), over);
}

/** Asserts that checking `tls` throws a TypeError with exactly `message`. */
function refuses(tls: ServerTls, message: string): void {
  assert.throws(() => platform.checkServerTls(tls), (error: unknown) => {
    assert.ok(error instanceof TypeError, `a TypeError, not ${String(error)}`);
    assert.equal(error.message, message);
    return true;
  });
}

test("a good pair is described as openssl describes the certificate", skip, async () => {
  const set = await certs();
  const described = platform.checkServerTls(await leafTls());
  const printed = openssl(".", "x509", "-in", set.files.leaf, "-noout", "-enddate", "-subject");
  const notAfter = Date.parse(/notAfter=(.+)/.exec(printed)![1]!.replace(/ +/g, " "));
  assert.deepEqual(described, {
    serial: serialOf(set.files.leaf),
    subject: "CN=localhost",
    notAfterMs: notAfter,
  });
  // The same key with another certificate of it (a renewal): its own serial.
  const renewed = platform.checkServerTls(await leafTls({ cert: set.pem("expiring") }));
  assert.equal(renewed.serial, serialOf(set.files.expiring));
  assert.notEqual(renewed.serial, described.serial);
});

test(
  "the serial is written as openssl writes it, and the subject lists every part",
  skip,
  async () => {
    const dir = await tempDir();
    // A leading zero (Deno drops it), and a high bit (DER pads it with a zero byte).
    for (const [serial, printed] of [["0x0A1B2C", "0A1B2C"], ["0x80F1", "80F1"]]) {
      openssl(
        dir,
        ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"],
        ...["-keyout", "k.pem", "-out", "c.pem", "-days", "2", "-set_serial", serial!],
        ...["-subj", "/C=DE/O=Example/CN=vitals.test"],
      );
      const described = platform.checkServerTls({
        cert: readFileSync(`${dir}/c.pem`, "utf8"),
        key: readFileSync(`${dir}/k.pem`, "utf8"),
        minVersion: "TLSv1.3",
      });
      assert.equal(serialOf(`${dir}/c.pem`), printed);
      assert.equal(described.serial, printed);
      assert.equal(described.subject, "C=DE, O=Example, CN=vitals.test");
    }
  },
);

test("a chain, leaf first, is described by its leaf", skip, async () => {
  const set = await certs();
  const described = platform.checkServerTls({
    cert: set.pem("rogueChain"),
    key: set.pem("rogueKey"),
    minVersion: "TLSv1.2",
  });
  assert.equal(described.serial, serialOf(set.files.rogueLeaf));
});

test("a key of another certificate is refused, naming the certificate", skip, async () => {
  const set = await certs();
  const serial = serialOf(set.files.leaf);
  refuses(
    await leafTls({ key: set.pem("clientKey") }),
    `Cannot use the TLS key: it does not match the certificate "CN=localhost, serial ${serial}"`,
  );
});

test(
  "a key of another type (RSA for an EC certificate) is refused as not matching",
  skip,
  async () => {
    const dir = await tempDir();
    openssl(
      dir,
      "genpkey",
      "-algorithm",
      "RSA",
      "-pkeyopt",
      "rsa_keygen_bits:2048",
      "-out",
      "r.pem",
    );
    const serial = serialOf((await certs()).files.leaf);
    refuses(
      await leafTls({ key: readFileSync(`${dir}/r.pem`, "utf8") }),
      `Cannot use the TLS key: it does not match the certificate "CN=localhost, serial ${serial}"`,
    );
  },
);

test("a certificate file cut short is refused as cut short", skip, async () => {
  const cert = (await certs()).pem("leaf");
  refuses(
    await leafTls({ cert: cert.slice(0, Math.floor(cert.length / 2)) }),
    'Cannot use the TLS certificate: certificate 1 has no "END CERTIFICATE" line (is the file cut short?)',
  );
  // Cut inside the second certificate of a chain.
  const chain = (await certs()).pem("rogueChain");
  refuses(
    {
      cert: chain.slice(0, chain.length - 100),
      key: (await certs()).pem("rogueKey"),
      minVersion: "TLSv1.2",
    },
    'Cannot use the TLS certificate: certificate 2 has no "END CERTIFICATE" line (is the file cut short?)',
  );
});

test("a key file cut short is refused as cut short", skip, async () => {
  const key = (await certs()).pem("leafKey");
  refuses(
    await leafTls({ key: key.slice(0, Math.floor(key.length / 2)) }),
    'Cannot use the TLS key: it has no "END PRIVATE KEY" line (is the file cut short?)',
  );
});

test("a certificate whose base64 is damaged is refused as unreadable", skip, async () => {
  const cert = (await certs()).pem("leaf");
  const lines = cert.split("\n");
  lines.splice(3, 2); // two lines of base64 gone, the END line still there
  assert.throws(
    () => platform.checkServerTls({ cert: lines.join("\n"), key: "", minVersion: "TLSv1.2" }),
    (error: unknown) =>
      error instanceof TypeError &&
      error.message.startsWith("Cannot use the TLS certificate: certificate 1 cannot be read ("),
  );
});

test("no certificate, no key, and a certificate given as the key are refused", skip, async () => {
  refuses(
    await leafTls({ cert: "" }),
    'Cannot use the TLS certificate: it holds no "BEGIN CERTIFICATE" block',
  );
  refuses(
    await leafTls({ cert: (await certs()).pem("leafKey") }),
    'Cannot use the TLS certificate: it holds no "BEGIN CERTIFICATE" block',
  );
  refuses(
    await leafTls({ key: (await certs()).pem("leaf") }),
    'Cannot use the TLS key: it holds no "BEGIN PRIVATE KEY" block',
  );
});

test("an encrypted key is refused: vitals takes no passphrase", skip, async () => {
  const dir = await tempDir();
  openssl(
    dir,
    ...["pkcs8", "-topk8", "-in", (await certs()).files.leafKey, "-out", "enc.pem"],
    ...["-passout", "pass:secret"],
  );
  refuses(
    await leafTls({ key: readFileSync(`${dir}/enc.pem`, "utf8") }),
    "Cannot use the TLS key: it is encrypted, and vitals takes keys without a passphrase",
  );
});

test("a client CA that is not a certificate, or is cut short, is refused", skip, async () => {
  const ca = (await certs()).pem("ca");
  refuses(
    await leafTls({ clientCa: "not a certificate" }),
    'Cannot use the TLS client CA: it holds no "BEGIN CERTIFICATE" block',
  );
  refuses(
    await leafTls({ clientCa: ca.slice(0, 300) }),
    'Cannot use the TLS client CA: certificate 1 has no "END CERTIFICATE" line (is the file cut short?)',
  );
  // A bundle of two CAs is fine.
  const bundle = ca + (await certs()).pem("rogueCa");
  assert.equal(
    platform.checkServerTls(await leafTls({ clientCa: bundle })).subject,
    "CN=localhost",
  );
});

test("client authentication without a client CA is refused", skip, async () => {
  refuses(
    await leafTls({ clientAuth: "require" }),
    'Cannot use TLS client authentication "require": no client CA is given to verify client certificates against',
  );
});
