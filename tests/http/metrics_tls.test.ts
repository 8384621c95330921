// The TLS families of /metrics (src/http/metrics_tls.ts, rendered by
// src/http/metrics.ts) from a real app whose `tls` source stands where
// `serve` puts the TLS keeper: the exact lines, a gauge of Unix seconds and a
// counter per port, parsed by a real Prometheus parser; the source read at
// every scrape, never kept; and no TLS family at all when no port serves TLS.

import assert from "node:assert/strict";
import { test } from "node:test";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { type App, createApp } from "../../src/app/create_app.ts";
import { parseConfig } from "../../src/config/load.ts";
import type { TlsPortMetrics, TlsPortsSource } from "../../src/http/metrics_tls.ts";
import { silentLogger } from "../../src/log.ts";
import { get } from "../_helpers/http.ts";
import { platform } from "../_helpers/platform.ts";

const CONFIG = `cache: {ttl: 30s}\nchecks:\n  - {name: ok, type: command, command: ["true"]}\n`;

function appWith(tls?: TlsPortsSource): App {
  return createApp(parseConfig(CONFIG, "t.yaml", {}), {
    platform,
    log: silentLogger,
    ...(tls ? { tls } : {}),
  });
}

async function scrape(app: App): Promise<string> {
  const response = await get(app, "/metrics");
  assert.equal(response.status, 200);
  return await response.text();
}

/** 2026-12-31T23:59:59Z and 2027-02-28T00:00:00Z, as a certificate's notAfter. */
const HTTP_NOT_AFTER_MS = 1_798_761_599_000;
const GRPC_NOT_AFTER_MS = 1_803_772_800_000;

test("each port serving TLS has its certificate's expiry in Unix seconds and its reload failures", async () => {
  const ports: TlsPortMetrics[] = [
    { port: "http", notAfterMs: HTTP_NOT_AFTER_MS, reloadFailures: 0, unusable: false },
    { port: "grpc", notAfterMs: GRPC_NOT_AFTER_MS, reloadFailures: 2, unusable: true },
  ];
  const app = appWith(() => ports);
  try {
    const text = await scrape(app);
    assert.ok(
      text.includes(
        "# HELP vitals_tls_certificate_expiry_timestamp_seconds When the certificate the port " +
          "serves expires (notAfter, Unix time).\n" +
          "# TYPE vitals_tls_certificate_expiry_timestamp_seconds gauge\n" +
          'vitals_tls_certificate_expiry_timestamp_seconds{port="http"} 1798761599\n' +
          'vitals_tls_certificate_expiry_timestamp_seconds{port="grpc"} 1803772800\n',
      ),
      text,
    );
    assert.ok(
      text.includes(
        "# TYPE vitals_tls_reload_failures_total counter\n" +
          'vitals_tls_reload_failures_total{port="http"} 0\n' +
          'vitals_tls_reload_failures_total{port="grpc"} 2\n',
      ),
      text,
    );
    assert.ok(
      text.includes(
        "# TYPE vitals_tls_files_unusable gauge\n" +
          'vitals_tls_files_unusable{port="http"} 0\n' +
          'vitals_tls_files_unusable{port="grpc"} 1\n',
      ),
      text,
    );
    const families = parsePrometheusTextFormat(text) as {
      name: string;
      type: string;
      metrics: { value: string; labels?: Record<string, string> }[];
    }[];
    const byName = new Map(families.map((family) => [family.name, family]));
    const expiry = byName.get("vitals_tls_certificate_expiry_timestamp_seconds");
    assert.equal(expiry?.type, "GAUGE");
    assert.deepEqual(
      expiry.metrics.map(({ labels, value }) => [labels?.["port"], Number(value)]),
      [["http", HTTP_NOT_AFTER_MS / 1000], ["grpc", GRPC_NOT_AFTER_MS / 1000]],
    );
    assert.equal(byName.get("vitals_tls_reload_failures_total")?.type, "COUNTER");
  } finally {
    app.health.close();
  }
});

test("every scrape reads the ports anew: a rotation and a failure show at the next scrape", async () => {
  let ports: TlsPortMetrics[] = [{
    port: "http",
    notAfterMs: HTTP_NOT_AFTER_MS,
    reloadFailures: 0,
    unusable: false,
  }];
  let reads = 0;
  const app = appWith(() => (reads++, ports));
  try {
    await get(app, "/health");
    assert.equal(reads, 0, "only /metrics reads the ports");
    assert.match(
      await scrape(app),
      /^vitals_tls_certificate_expiry_timestamp_seconds\{port="http"\} 1798761599$/m,
    );
    ports = [{ port: "http", notAfterMs: GRPC_NOT_AFTER_MS, reloadFailures: 1, unusable: true }];
    const text = await scrape(app);
    assert.match(
      text,
      /^vitals_tls_certificate_expiry_timestamp_seconds\{port="http"\} 1803772800$/m,
    );
    assert.match(text, /^vitals_tls_reload_failures_total\{port="http"\} 1$/m);
    assert.match(text, /^vitals_tls_files_unusable\{port="http"\} 1$/m);
    assert.equal(reads, 2);
  } finally {
    app.health.close();
  }
});

test("no TLS family when no port serves TLS, with or without a source", async () => {
  for (const app of [appWith(), appWith(() => [])]) {
    try {
      const text = await scrape(app);
      assert.match(text, /^vitals_up /m, "the scrape has the other families");
      assert.doesNotMatch(text, /vitals_tls_/);
    } finally {
      app.health.close();
    }
  }
});
