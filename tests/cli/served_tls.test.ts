// How `probe` and `maint` decide to speak TLS (src/cli/served_tls.ts and the
// default origin of src/cli/served_url.ts): VITALS_TLS turning 127.0.0.1's
// origin to https://; which certificate check an https:// URL gets (none on
// loopback, the --cacert CA, or the runtime's roots); --cacert, --cert and
// --key against their environment variables; and the usage errors (a TLS
// file with an http:// URL, half a client pair, a file missing or not PEM),
// each naming the flag or variable and the file. Files are real, on disk.
// The requests themselves, against openssl s_server, are in probe_tls.test.ts.

import assert from "node:assert/strict";
import { test } from "node:test";
import { isLoopback, servedTls } from "../../src/cli/served_tls.ts";
import { localOrigin, noAnswer } from "../../src/cli/served_url.ts";
import type { Flags } from "../../src/cli/flags.ts";
import { PlatformError } from "../../src/platform/platform_error.ts";
import { tempFile } from "../_helpers/files.ts";
import { platform } from "../_helpers/platform.ts";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

/** `servedTls` for `url` with `flags` and `env` as the whole environment, reading real files. */
function tlsOf(url: string, flags: Flags = {}, env: Record<string, string> = {}) {
  return servedTls(url, flags, { ...platform, env: () => ({ ...env }) }, "probe");
}

test("VITALS_TLS 1 or true makes 127.0.0.1's origin https://; 0, false or empty keep http://", () => {
  for (const value of ["1", "true", "TRUE"]) {
    assert.equal(
      localOrigin({ VITALS_TLS: value, VITALS_PORT: "8443" }, "probe"),
      "https://127.0.0.1:8443",
    );
  }
  for (const value of ["0", "false", ""]) {
    assert.equal(localOrigin({ VITALS_TLS: value }, "maint"), "http://127.0.0.1:8080");
  }
  for (const value of ["yes", "on", "2"]) {
    assert.throws(
      () => localOrigin({ VITALS_TLS: value }, "probe"),
      { message: `Invalid VITALS_TLS "${value}": expected 1 or true (https), 0 or false (http)` },
    );
  }
});

test("loopback is localhost, 127.0.0.0/8 and ::1; nothing else", () => {
  for (
    const url of [
      "https://127.0.0.1:1",
      "https://127.1.2.3",
      "https://[::1]:8443",
      "https://LOCALHOST",
    ]
  ) {
    assert.equal(isLoopback(new URL(url).hostname), true, url);
  }
  for (
    const url of [
      "https://10.0.0.7",
      "https://[::2]",
      "https://localhost.example",
      "https://128.0.0.1",
    ]
  ) {
    assert.equal(isLoopback(new URL(url).hostname), false, url);
  }
});

test("an https:// loopback URL is not verified; another host keeps Platform.fetch and its roots", async () => {
  for (
    const url of ["https://127.0.0.1:8443/health", "https://[::1]:8443/", "https://localhost/"]
  ) {
    assert.deepEqual(await tlsOf(url), { insecureSkipVerify: true }, url);
  }
  assert.equal(await tlsOf("https://vitals.example:8443/"), undefined);
  assert.equal(await tlsOf("http://127.0.0.1:8080/"), undefined);
});

test("--cacert verifies against that CA, on loopback too; VITALS_CACERT is the default", async () => {
  const { path: ca } = await tempFile("ca.pem", PEM);
  for (const url of ["https://127.0.0.1:8443/", "https://vitals.example/"]) {
    assert.deepEqual(await tlsOf(url, { cacert: ca }), { ca: PEM }, url);
    assert.deepEqual(await tlsOf(url, {}, { VITALS_CACERT: ca }), { ca: PEM }, url);
  }
  // The flag wins over the variable, whose file is then not read.
  assert.deepEqual(
    await tlsOf("https://127.0.0.1/", { cacert: ca }, { VITALS_CACERT: "/nonexistent" }),
    {
      ca: PEM,
    },
  );
});

test("--cert and --key send a client certificate, verified as without them", async () => {
  const { path: cert } = await tempFile("client.pem", PEM);
  const { path: key } = await tempFile("client.key", "-----BEGIN PRIVATE KEY-----\nx\n");
  const pair = { cert: PEM, key: "-----BEGIN PRIVATE KEY-----\nx\n" };
  assert.deepEqual(await tlsOf("https://127.0.0.1/", { cert, key }), {
    ...pair,
    insecureSkipVerify: true,
  });
  assert.deepEqual(
    await tlsOf("https://vitals.example/", {}, { VITALS_CERT: cert, VITALS_KEY: key }),
    pair,
  );
});

test("a TLS file with an http:// URL is a usage error naming it, and the way to https", async () => {
  const { path: ca } = await tempFile("ca.pem", PEM);
  await assert.rejects(tlsOf("http://127.0.0.1:8080/health/ready/simple", { cacert: ca }), {
    message: 'Cannot use --cacert with "http://127.0.0.1:8080/health/ready/simple": ' +
      "TLS files need an https:// URL (VITALS_TLS=1 makes 127.0.0.1's one https)",
  });
  await assert.rejects(
    tlsOf("http://u:secret@10.0.0.7/", {}, { VITALS_CERT: ca, VITALS_KEY: ca }),
    {
      message: /^Cannot use VITALS_CERT with "http:\/\/\*+@10\.0\.0\.7\/"/,
    },
  );
});

test("half a client pair, a missing file or one that is not PEM is a usage error naming the source and file", async () => {
  const { path: text } = await tempFile("notes.txt", "not a certificate\n");
  const cases: [Flags, Record<string, string>, string][] = [
    [{ cert: text }, {}, "Invalid --cert without --key: a client certificate needs both"],
    [
      {},
      { VITALS_KEY: text },
      "Invalid VITALS_KEY without --cert: a client certificate needs both",
    ],
    [
      { cacert: "/nonexistent/ca.pem" },
      {},
      'Cannot read --cacert "/nonexistent/ca.pem": file does not exist',
    ],
    [
      {},
      { VITALS_CACERT: "/nonexistent/ca.pem" },
      'Cannot read VITALS_CACERT "/nonexistent/ca.pem": file does not exist',
    ],
    [{ cacert: text }, {}, `Cannot use --cacert "${text}": expected PEM text ("-----BEGIN ...")`],
    [
      { cert: text, key: text },
      {},
      `Cannot use --cert "${text}": expected PEM text ("-----BEGIN ...")`,
    ],
  ];
  for (const [flags, env, message] of cases) {
    await assert.rejects(tlsOf("https://127.0.0.1:8443/", flags, env), {
      name: "UsageError",
      message,
    });
  }
});

test("a closed connection hints at VITALS_TLS over http://, at the client certificate over https://; a TLS failure cannot connect", () => {
  const signal = new AbortController().signal;
  const closed = new TypeError("fetch failed", { cause: { code: "ECONNRESET" } });
  assert.equal(
    noAnswer(closed, signal, 1000, "http://127.0.0.1:8443/health/ready/simple"),
    "failed: connection closed before a response (if the port serves TLS: set VITALS_TLS=1, or give an https:// URL)",
  );
  assert.equal(
    noAnswer(closed, signal, 1000, "https://127.0.0.1:8443/"),
    "failed: connection closed before a response (if the port requires a client certificate: set --cert and --key)",
  );
  assert.equal(
    noAnswer(closed, signal, 1000, "https://127.0.0.1:8443/", true),
    "failed: connection closed before a response (the server may have refused the client certificate)",
  );
  const garbage = new TypeError("error sending request", {
    cause: new Error("invalid HTTP version parsed"),
  });
  assert.match(
    noAnswer(garbage, signal, 1000, "http://127.0.0.1:8443/"),
    /not an HTTP response \(if the port serves TLS/,
  );
  const untrusted = new PlatformError("ETLS", "certificate not trusted: self-signed certificate");
  assert.equal(
    noAnswer(untrusted, signal, 1000, "https://127.0.0.1:8443/"),
    "cannot connect: TLS handshake failed: certificate not trusted: self-signed certificate",
  );
});
