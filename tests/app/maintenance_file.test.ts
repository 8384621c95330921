// The maintenance switch kept in a file (src/app/maintenance_file.ts), with
// the runtime's platform on real files: what the file holds and what is
// refused; at start the switch takes the file's state (a missing file: off,
// nothing logged; a malformed or unreadable one: an error logged, off); each
// change is written; a path changed by a reload gets the next change; a
// write that fails is logged and the switch changes all the same; no path,
// nothing read or written.

import assert from "node:assert/strict";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { test } from "node:test";
import {
  keepMaintenanceFile,
  maintenanceFileText,
  parseMaintenanceFile,
} from "../../src/app/maintenance_file.ts";
import { Maintenance } from "../../src/engine/maintenance.ts";
import { createLogger } from "../../src/log.ts";
import { ManualClock, STAMP } from "../_helpers/clock.ts";
import { tempDir } from "../_helpers/files.ts";
import { platform } from "../_helpers/platform.ts";
import { untilPasses } from "../_helpers/tls_serving.ts";

/** A logger that keeps its JSON lines. */
function keptLog() {
  const lines: { level: string; msg: string }[] = [];
  const log = createLogger({
    format: "json",
    level: "debug",
    write: (line) => lines.push(JSON.parse(line)),
  });
  return { log, lines };
}

const SINCE = "2026-03-04T05:06:07.000Z";

test("the file holds the state as GET /maintenance answers it; what is not such a state is refused", () => {
  const on = { on: true, reason: "drain", since: SINCE, groups: ["ready"] } as const;
  assert.equal(
    maintenanceFileText(on),
    '{"on":true,"reason":"drain","since":"2026-03-04T05:06:07.000Z","groups":["ready"]}\n',
  );
  assert.deepEqual(parseMaintenanceFile(maintenanceFileText(on)), on);
  assert.deepEqual(parseMaintenanceFile(maintenanceFileText({ on: false })), { on: false });
  const refused: [string, RegExp][] = [
    ["", /^Invalid maintenance file: expected JSON such as \{"on":false\}$/],
    ['{"on":true,"reason":"x"', /expected JSON/],
    ["null", /expected "on" to be true or false/],
    ['{"on":"yes"}', /expected "on" to be true or false/],
    [`{"on":true,"since":"${SINCE}","groups":[]}`, /expected "reason" to be text/],
    ['{"on":true,"reason":"x","since":"yesterday","groups":[]}', /"since" to be an ISO 8601 time/],
    [`{"on":true,"reason":"x","since":"${SINCE}","groups":"ready"}`, /"groups" to be a list/],
    [`{"on":true,"reason":"x","since":"${SINCE}","groups":[1]}`, /"groups" to be a list/],
  ];
  for (const [text, message] of refused) {
    assert.throws(() => parseMaintenanceFile(text), { name: "TypeError", message }, text);
  }
});

test("at start the switch takes the file's state with its start; each change is written there", async () => {
  const path = `${await tempDir()}/maintenance.json`;
  writeFileSync(
    path,
    `{"on":true,"reason":"node drain","since":"${SINCE}","groups":["ready","live"]}`,
  );
  const maintenance = new Maintenance(new ManualClock());
  const { log, lines } = keptLog();
  await keepMaintenanceFile(maintenance, { platform, log, path: () => path });
  assert.deepEqual(maintenance.state, {
    on: true,
    reason: "node drain",
    since: SINCE,
    groups: ["live", "ready"],
  });
  assert.deepEqual(lines, [], "restoring does not write or log by itself");
  assert.ok(readFileSync(path, "utf8").startsWith('{"on":true,"reason":"node drain"'));

  maintenance.turnOff("127.0.0.1");
  await untilPasses(() => assert.equal(readFileSync(path, "utf8"), '{"on":false}\n'));
  maintenance.turnOn("second", ["started"], "::1");
  maintenance.turnOn("third", ["started"], "::1");
  const last = { on: true, reason: "third", since: STAMP, groups: ["started"] };
  await untilPasses(() => assert.deepEqual(JSON.parse(readFileSync(path, "utf8")), last));
  assert.deepEqual(lines, []);
});

test("a missing file starts the switch off and logs nothing; a malformed or unreadable one logs an error", async () => {
  const dir = await tempDir();
  const cases: [string, () => void, RegExp | undefined][] = [
    [`${dir}/missing.json`, () => {}, undefined],
    [
      `${dir}/torn.json`,
      () => writeFileSync(`${dir}/torn.json`, '{"on":true,"rea'),
      /^Cannot restore the maintenance switch from ".*torn\.json": Invalid maintenance file: expected JSON such as \{"on":false\}; it starts off$/,
    ],
    [
      `${dir}/bad-group.json`,
      () =>
        writeFileSync(
          `${dir}/bad-group.json`,
          `{"on":true,"reason":"x","since":"${SINCE}","groups":["readiness"]}`,
        ),
      /^Cannot restore the maintenance switch from ".*bad-group\.json": Unknown group "readiness": expected live, ready, started or all; it starts off$/,
    ],
    [
      `${dir}/a-directory`,
      () => mkdirSync(`${dir}/a-directory`),
      /^Cannot restore the maintenance switch from ".*a-directory": .+; it starts off$/,
    ],
  ];
  for (const [path, prepare, logged] of cases) {
    prepare();
    const maintenance = new Maintenance(new ManualClock());
    const { log, lines } = keptLog();
    await keepMaintenanceFile(maintenance, { platform, log, path: () => path });
    assert.deepEqual(maintenance.state, { on: false }, path);
    if (logged === undefined) assert.deepEqual(lines, [], path);
    else {
      assert.equal(lines.length, 1, path);
      assert.equal(lines[0]!.level, "error");
      assert.match(lines[0]!.msg, logged);
    }
  }
  assert.equal(existsSync(`${dir}/missing.json`), false, "nothing written without a change");
});

test("a path changed by a reload gets the next change; a failed write is logged and the switch changes", async () => {
  const dir = await tempDir();
  let path: string | undefined = `${dir}/first.json`;
  const maintenance = new Maintenance(new ManualClock());
  const { log, lines } = keptLog();
  await keepMaintenanceFile(maintenance, { platform, log, path: () => path });
  maintenance.turnOn("one", [], "local");
  await untilPasses(() => assert.match(readFileSync(`${dir}/first.json`, "utf8"), /"one"/));

  path = `${dir}/second.json`;
  maintenance.turnOn("two", [], "local");
  await untilPasses(() => assert.match(readFileSync(`${dir}/second.json`, "utf8"), /"two"/));
  assert.match(readFileSync(`${dir}/first.json`, "utf8"), /"one"/, "the old file stays as it was");

  path = `${dir}/no-such-dir/third.json`;
  maintenance.turnOff("local");
  assert.deepEqual(maintenance.state, { on: false });
  await untilPasses(() => assert.equal(lines.length, 1));
  assert.equal(lines[0]!.level, "error");
  assert.match(
    lines[0]!.msg,
    /^Cannot write the maintenance switch to ".*no-such-dir\/third\.json": file does not exist$/,
  );

  // A read-only directory (unless running as root, who writes anyway).
  const locked = `${dir}/locked`;
  mkdirSync(locked);
  chmodSync(locked, 0o500);
  path = `${locked}/m.json`;
  maintenance.turnOn("four", [], "local");
  assert.ok(maintenance.covers("ready"));
  await untilPasses(() => assert.ok(lines.length === 2 || existsSync(`${locked}/m.json`)));
  chmodSync(locked, 0o700);

  path = undefined;
  maintenance.turnOff("local");
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(readdirSync(dir).sort(), ["first.json", "locked", "second.json"]);
});
