// vitals' /metrics read by Prometheus' own linter, `promtool check metrics`,
// on a scrape that has every state a check can be in (UP, WARN, DOWN) and a
// Nagios plugin's perfdata with a label that needs escaping: it passes with
// no finding. Without promtool, the test skips and says why; .ci/run
// installs it (Debian's prometheus package).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { appOf } from "../../_helpers/apps.ts";
import { get } from "../../_helpers/http.ts";
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

test("/metrics with UP, WARN and DOWN checks and perfdata passes promtool check metrics", {
  skip: noPromtool,
}, async () => {
  const app = appOf(CONFIG);
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
    const checked = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
    assert.equal(checked.status, 0, `promtool check metrics: ${checked.stdout}${checked.stderr}`);
    assert.equal(`${checked.stdout}${checked.stderr}`.trim(), "", "no lint findings");
  } finally {
    app.health.close();
  }
});
