// The TLS keeper against real certificate files made by openssl and the
// platform's own pair check (a stand-in server records what it is handed):
// a changed pair is applied once, a broken one logged once and never
// applied, a file caught half-written waits for the whole one, and SIGHUP
// (refresh) applies at once without waiting for the timer. What /metrics
// reads from the keeper: the served certificate's notAfter (as openssl reads
// it) and the count of bad contents, each counted once, as it is logged.

import assert from "node:assert/strict";
import { copyFileSync, writeFileSync } from "node:fs";
import { test } from "node:test";
import { keepTlsFresh, type TlsPort } from "../../src/app/server_tls.ts";
import { serverTlsOf, type ServerTlsSettings } from "../../src/config/tls_files.ts";
import type { Logger } from "../../src/log.ts";
import type { RunningServer, ServerTls } from "../../src/platform/platform.ts";
import { missingOpenssl } from "../_helpers/certs.ts";
import { makeCertificates } from "../_helpers/certificate_set.ts";
import { ManualClock } from "../_helpers/clock.ts";
import { tempDir } from "../_helpers/files.ts";
import { platform } from "../_helpers/platform.ts";
import { notAfterOf } from "../_helpers/tls_peers.ts";
import { untilPasses } from "../_helpers/tls_serving.ts";

const skip = { skip: missingOpenssl("the TLS keeper tests") };

async function setUp() {
  const dir = await tempDir();
  const certs = makeCertificates(dir);
  copyFileSync(certs.leaf, `${dir}/tls.crt`);
  copyFileSync(certs.leafKey, `${dir}/tls.key`);
  const settings: ServerTlsSettings = {
    cert: `${dir}/tls.crt`,
    key: `${dir}/tls.key`,
    minVersion: "1.2",
    pem: {
      cert: await platform.readTextFile(certs.leaf),
      key: await platform.readTextFile(certs.leafKey),
    },
  };
  const applied: ServerTls[] = [];
  const server: RunningServer = {
    hostname: "127.0.0.1",
    port: 0,
    shutdown: () => Promise.resolve(),
    setTls(tls) {
      const certificate = platform.checkServerTls(tls);
      applied.push(tls);
      return certificate;
    },
  };
  const lines: string[] = [];
  const log: Logger = {
    debug: () => {},
    info: (line) => void lines.push(`info ${line}`),
    warn: (line) => void lines.push(`warn ${line}`),
    error: (line) => void lines.push(`error ${line}`),
  };
  const port: TlsPort = {
    label: "HTTP",
    name: "http",
    server,
    settings: () => settings,
    certificate: platform.checkServerTls(serverTlsOf(settings)),
  };
  const clock = new ManualClock();
  const keeper = keepTlsFresh([port], { platform, log, clock, intervalMs: 1000 });
  return { dir, certs, applied, lines, clock, keeper };
}

test(
  "a changed pair is applied once, at the next look, and logged with its serial",
  skip,
  async () => {
    const { dir, certs, applied, lines, clock, keeper } = await setUp();
    try {
      clock.advance(1000);
      await keeper.refresh("idle");
      assert.equal(applied.length, 0, "unchanged files are not applied again");
      copyFileSync(certs.expiring, `${dir}/tls.crt`);
      clock.advance(1000);
      await untilPasses(() => assert.equal(applied.length, 1));
      clock.advance(1000);
      await keeper.refresh("again");
      assert.equal(applied.length, 1, "applied once");
      assert.match(
        lines.join("\n"),
        /info TLS certificate of the HTTP port reloaded \(file change\): serial [0-9A-F]+/,
      );
    } finally {
      keeper.stop();
    }
  },
);

test(
  "a key that does not match is logged once and never applied; the fixed pair is",
  skip,
  async () => {
    const { dir, certs, applied, lines, keeper } = await setUp();
    try {
      copyFileSync(certs.rogueKey, `${dir}/tls.key`);
      await keeper.refresh("SIGHUP");
      await keeper.refresh("SIGHUP");
      assert.equal(applied.length, 0);
      const errors = lines.filter((line) => line.startsWith("error"));
      assert.equal(errors.length, 1, lines.join("\n"));
      assert.match(
        errors[0]!,
        /Cannot use the new TLS files of the HTTP port, still serving serial [0-9A-F]+/,
      );
      copyFileSync(certs.leafKey, `${dir}/tls.key`);
      copyFileSync(certs.expiring, `${dir}/tls.crt`);
      await keeper.refresh("SIGHUP");
      assert.equal(applied.length, 1);
      assert.match(lines.at(-1)!, /reloaded \(SIGHUP\)/);
    } finally {
      keeper.stop();
    }
  },
);

test(
  "a certificate file caught half-written is reported, then the whole one is applied",
  skip,
  async () => {
    const { dir, certs, applied, lines, keeper } = await setUp();
    try {
      const whole = await platform.readTextFile(certs.expiring);
      writeFileSync(`${dir}/tls.crt`, whole.slice(0, whole.length / 2));
      await keeper.refresh("file change");
      assert.equal(applied.length, 0);
      assert.match(lines.join("\n"), /error Cannot use the new TLS files of the HTTP port/);
      writeFileSync(`${dir}/tls.crt`, whole);
      await keeper.refresh("file change");
      assert.equal(applied.length, 1);
    } finally {
      keeper.stop();
    }
  },
);

test("a missing file is reported with its key, and the served pair stays", skip, async () => {
  const { dir, applied, lines, keeper } = await setUp();
  try {
    const { rmSync } = await import("node:fs");
    rmSync(`${dir}/tls.key`);
    await keeper.refresh("file change");
    assert.equal(applied.length, 0);
    assert.match(lines.join("\n"), /key: cannot read ".*tls\.key"/);
  } finally {
    keeper.stop();
  }
});

test(
  "metrics: the served certificate's expiry, each distinct bad content counted once, unusable while bad",
  skip,
  async () => {
    const { dir, certs, lines, keeper } = await setUp();
    const metrics = () => keeper.metrics();
    const at = (file: string, reloadFailures: number, unusable: boolean) => [
      { port: "http", notAfterMs: notAfterOf(file) * 1000, reloadFailures, unusable },
    ];
    try {
      assert.deepEqual(metrics(), at(certs.leaf, 0, false), "the pair served since start-up");
      copyFileSync(certs.rogueKey, `${dir}/tls.key`);
      await keeper.refresh("file change");
      await keeper.refresh("file change");
      assert.deepEqual(
        metrics(),
        at(certs.leaf, 1, true),
        "a key that does not match: one failure",
      );
      const whole = await platform.readTextFile(certs.expiring);
      writeFileSync(`${dir}/tls.crt`, whole.slice(0, whole.length / 2));
      await keeper.refresh("file change");
      assert.deepEqual(metrics(), at(certs.leaf, 2, true), "another bad content: one more");
      copyFileSync(certs.leafKey, `${dir}/tls.key`);
      writeFileSync(`${dir}/tls.crt`, whole);
      await keeper.refresh("file change");
      assert.deepEqual(
        metrics(),
        at(certs.expiring, 2, false),
        "the new certificate; a counter stays",
      );
      copyFileSync(certs.rogueKey, `${dir}/tls.key`);
      await keeper.refresh("file change");
      assert.deepEqual(
        metrics(),
        at(certs.expiring, 3, true),
        "a bad content again after a good one",
      );
      const errors = lines.filter((line) => line.startsWith("error"));
      assert.equal(errors.length, 3, "as many failures counted as logged");
    } finally {
      keeper.stop();
    }
  },
);
