// A command check's working directory (src/config/command_dirs.ts), looked at
// when the config is loaded from a file, as the TLS files are: a `cwd` that
// does not exist, is a file, or lies below a file is a config problem naming
// the key path and the line; one that exists, relative ones included, loads.

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { after, test } from "node:test";
import type { ConfigError } from "../../src/config/error.ts";
import { loadConfig } from "../../src/config/load.ts";
import type { FileInfo } from "../../src/platform/platform.ts";
import { rejectedFile } from "../_helpers/config.ts";
import { platform } from "../_helpers/platform.ts";

const DIR = mkdtempSync(`${tmpdir()}/vitals-command-dirs-`);
after(() => rmSync(DIR, { recursive: true, force: true }));
mkdirSync(`${DIR}/work`);
writeFileSync(`${DIR}/file.txt`, "not a directory\n");

let configs = 0;

/** Writes a config with `checks` (YAML list items); returns its path. */
function configFile(checks: string): string {
  const file = `${DIR}/vitals-${++configs}.yaml`;
  writeFileSync(file, `checks:\n${checks}`);
  return file;
}

/** A command check named `name` run in `cwd`, as a YAML list item. */
const inDir = (name: string, cwd: string) =>
  `  - name: ${name}\n    type: command\n    command: ["true"]\n    cwd: ${JSON.stringify(cwd)}\n`;

test("a cwd that does not exist is a config problem naming the key path, the line and the directory", async () => {
  const error: ConfigError = await rejectedFile(
    configFile(inDir("ok", `${DIR}/work`) + inDir("a", "/tmp") + inDir("b", "/nope")),
  );
  assert.deepEqual(error.problems, [{
    path: "checks[2].cwd",
    line: 13,
    column: 10,
    message: 'directory "/nope" does not exist',
  }]);
  assert.ok(
    error.message.endsWith(
      `\n  ${error.file}:13:10: checks[2].cwd: directory "/nope" does not exist`,
    ),
    error.message,
  );
});

test("a cwd that is a file, or lies below one, is a config problem saying so", async () => {
  const error = await rejectedFile(
    configFile(inDir("file", `${DIR}/file.txt`) + inDir("below", `${DIR}/file.txt/sub`)),
  );
  assert.deepEqual(error.problems.map(({ path, message }) => [path, message]), [
    ["checks[0].cwd", `"${DIR}/file.txt" is not a directory`],
    ["checks[1].cwd", `cannot use directory "${DIR}/file.txt/sub": a parent is not a directory`],
  ]);
});

test("a cwd that exists loads, a relative one from vitals' working directory, each looked at once", async () => {
  const looked: string[] = [];
  const counting = {
    ...platform,
    stat: (path: string): Promise<FileInfo> => {
      looked.push(path);
      return platform.stat(path);
    },
  };
  const config = await loadConfig(
    configFile(inDir("a", `${DIR}/work`) + inDir("b", `${DIR}/work`) + inDir("c", "src")),
    counting,
  );
  assert.deepEqual(config.checks.map((check) => check.type === "command" && check.cwd), [
    `${DIR}/work`,
    `${DIR}/work`,
    "src",
  ]);
  assert.deepEqual(looked, [`${DIR}/work`, "src"]);
});

test("problems with cwd and with TLS files are reported together, in file order", async () => {
  const error = await rejectedFile(configFile(
    inDir("a", "/nope") +
      `  - name: web\n    type: http\n    url: https://127.0.0.1/\n    tls: {ca: ${DIR}/no.pem}\n`,
  ));
  assert.deepEqual(error.problems.map((problem) => [problem.line, problem.path]), [
    [5, "checks[0].cwd"],
    [9, "checks[1].tls.ca"],
  ]);
});
