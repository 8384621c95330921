// vitals' /metrics read by Prometheus' own linter, `promtool check metrics`,
// on a scrape that has every state a check can be in (UP, WARN, DOWN) and a
// Nagios plugin's perfdata with a label that needs escaping, and both TLS
// ports' families (the certificate expiry gauge and the reload failure
// counter, as the TLS keeper reports them to `serve`'s app): it passes with
// no finding. Without promtool, the test skips and says why; .ci/run
// installs it (Debian's prometheus package).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { createApp } from "../../../src/app/create_app.ts";
import { parseConfig } from "../../../src/config/load.ts";
import { silentLogger } from "../../../src/log.ts";
import { get } from "../../_helpers/http.ts";
import { platform } from "../../_helpers/platform.ts";
import { missingTool } from "../../_helpers/tools.ts";

const noPromtool = missingTool(
  "the promtool check of /metrics",
  "promtool",
  ["--version"],
  ".ci/run installs it with apt-get install prometheus",
);

/** What the `queue` check prints: a WARNING with perfdata, one label holding `"` and `\`. */
const PLUGIN_LINE =
  `QUEUE WARNING - 60 jobs | queued=60;50;100;0 wait=1500ms 'disk "/"\\x'=2KB ratio=12.5%`;

/** Checks in every state: WARN with perfdata (nagios), DOWN, UP; JSON is YAML. */
const CONFIG = `cache: {ttl: 0}
checks:
  - name: queue
    type: command
    nagios: true
    command: ${JSON.stringify(["sh", "-c", `printf '%s\\n' "$1"; exit 1`, "sh", PLUGIN_LINE])}
  - {name: db, type: command, command: ["false"], critical: false}
  - {name: up, type: command, command: ["true"]}
`;

/** Both ports serving TLS, the gRPC port after one failed reload. */
const TLS_PORTS = [
  { port: "http", notAfterMs: 1_798_761_599_000, reloadFailures: 0, unusable: false },
  { port: "grpc", notAfterMs: 1_803_772_800_000, reloadFailures: 1, unusable: true },
];

test(
  "/metrics with UP, WARN and DOWN checks, perfdata and TLS ports passes promtool check metrics",
  {
    skip: noPromtool,
  },
  async () => {
    const app = createApp(parseConfig(CONFIG, "t.yaml", {}), {
      platform,
      log: silentLogger,
      tls: () => TLS_PORTS,
    });
    try {
      await get(app, "/health");
      const text = await (await get(app, "/metrics")).text();
      for (const state of ["up", "warn", "down"]) {
        assert.match(
          text,
          new RegExp(`^vitals_check_state\\{check="\\w+",state="${state}"\\} 1$`, "m"),
        );
      }
      assert.ok(
        text.includes(
          'vitals_check_perfdata{check="queue",label="disk \\"/\\"\\\\x",unit="bytes"} 2048',
        ),
        "the scrape has the perfdata, its label escaped",
      );
      assert.match(
        text,
        /^vitals_tls_certificate_expiry_timestamp_seconds\{port="http"\} 1798761599$/m,
      );
      assert.match(text, /^vitals_tls_reload_failures_total\{port="grpc"\} 1$/m);
      const checked = spawnSync("promtool", ["check", "metrics"], {
        input: text,
        encoding: "utf8",
      });
      assert.equal(checked.status, 0, `promtool check metrics: ${checked.stdout}${checked.stderr}`);
      assert.equal(`${checked.stdout}${checked.stderr}`.trim(), "", "no lint findings");
    } finally {
      app.health.close();
    }
  },
);
