// A newcomer's first minutes, from the README itself: in a fresh copy of the
// working tree (what `git ls-files` lists, so nothing built or installed
// comes along), the commands of README.md's "Quick start" run as written, read
// from its two `sh` blocks, not copied here: `npm install` (from the npm
// registry, its cache first), `--version` and `validate` through
// `npm run vitals -- …` (their output is what the README shows after `# →`),
// `serve` left running, then, "in another terminal", the two curls, which
// must see UP, and `check`. The alias the Install section gives is then
// defined in the copy and used from another folder, with a config path
// relative to that folder. If the README's commands drift from what works,
// this fails.
//
// The serving part runs in a network namespace the test creates, so the
// README's fixed port 8080 is free and nothing outside answers in its place;
// `serve` runs in a PID namespace of its own, whose processes all end when
// the test kills its first process by PID. Needs root, `ip`, `unshare`, `git`
// and `curl` (.ci/run installs them); without them the test skips and says
// why. It runs on the Deno runner only: the commands do not depend on the
// runner.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { rm } from "node:fs/promises";
import { dirname } from "node:path";
import process from "node:process";
import { test } from "node:test";
import { ROOT, tempDir } from "../_helpers/files.ts";
import { start, stop } from "../_helpers/processes.ts";
import { runShell } from "../_helpers/shell.ts";
import { eventually } from "../_helpers/waits.ts";

/** npm reads its cache before the registry; no audit or funding calls. */
const NPM_ENV = {
  npm_config_prefer_offline: "true",
  npm_config_audit: "false",
  npm_config_fund: "false",
  NO_COLOR: "1",
};
/** The most any one README command may take (npm install included). */
const COMMAND_MS = 120_000;

/** Why this test cannot run here, or `false`. */
function cannotRun(): string | false {
  if ("Bun" in globalThis) return "the Deno runner covers it (the same README commands)";
  if (process.platform !== "linux") return "it needs Linux namespaces";
  if (process.getuid?.() !== 0) return "it needs root (ip netns, unshare)";
  for (const program of ["ip", "unshare", "git", "curl", "npm"]) {
    if (spawnSync("sh", ["-c", `command -v ${program}`]).status !== 0) {
      return `${program} is not installed`;
    }
  }
  if (spawnSync("git", ["-C", ROOT, "rev-parse", "--git-dir"]).status !== 0) {
    return `${ROOT} is not a git checkout`;
  }
  return false;
}

/** One command of a README block, with the output its `# →` comment shows, if any. */
interface Command {
  readonly line: string;
  readonly shows?: string;
}

/** The `sh` blocks of README.md's "Quick start" section, as commands. */
function quickStart(): Command[][] {
  const text = readFileSync(`${ROOT}README.md`, "utf8");
  const start = text.search(/^## Quick start$/m);
  assert.ok(start !== -1, 'README.md has a "Quick start" section');
  const end = text.slice(start + 1).search(/^## /m);
  const section = text.slice(start, end === -1 ? undefined : start + 1 + end);
  return [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((block) =>
    (block[1] ?? "").split("\n").filter((line) => line.trim() !== "").map((raw) => {
      const [, line = "", comment] = /^(.*?)(?:\s+#\s(.*))?$/.exec(raw) ?? [];
      const shows = comment?.startsWith("→ ") ? comment.slice(2) : undefined;
      return shows === undefined ? { line: line.trim() } : { line: line.trim(), shows };
    })
  );
}

/** The alias README.md's Install section gives for typing `vitals` alone. */
function documentedAlias(): string {
  const text = readFileSync(`${ROOT}README.md`, "utf8");
  const aliases = [...text.matchAll(/^alias vitals=.*$/gm)].map((match) => match[0]);
  assert.equal(aliases.length, 1, "README.md defines one vitals alias");
  return aliases[0]!;
}

/** The working tree as a fresh clone has it: tracked and new files, nothing ignored. */
async function freshCopy(): Promise<string> {
  const dir = await tempDir();
  const listed = spawnSync("git", ["-C", ROOT, "ls-files", "-z", "-co", "--exclude-standard"], {
    encoding: "utf8",
  });
  assert.equal(listed.status, 0, listed.stderr);
  for (const file of listed.stdout.split("\0").filter((name) => name !== "")) {
    if (!existsSync(`${ROOT}${file}`)) continue; // deleted in the working tree
    mkdirSync(dirname(`${dir}/${file}`), { recursive: true });
    if (lstatSync(`${ROOT}${file}`).isSymbolicLink()) {
      symlinkSync(readlinkSync(`${ROOT}${file}`), `${dir}/${file}`);
    } else {
      copyFileSync(`${ROOT}${file}`, `${dir}/${file}`);
    }
  }
  return dir;
}

/** Runs a README line in `cwd`, inside network namespace `netns` if given. */
function runLine(line: string, cwd: string, netns?: string) {
  // The line goes through the environment, so no quoting can change it.
  const command = netns === undefined ? line : `ip netns exec ${netns} sh -c "$README_LINE"`;
  return runShell(command, cwd, { ...NPM_ENV, README_LINE: line }, COMMAND_MS);
}

/** Runs one README command as {@link runLine} does; it must exit 0 and print what the README shows. */
async function run(command: Command, cwd: string, netns?: string) {
  const ran = await runLine(command.line, cwd, netns);
  assert.equal(ran.code, 0, `"${command.line}" failed:\n${ran.output}`);
  if (command.shows !== undefined) {
    assert.ok(
      ran.stdout.split("\n").includes(command.shows),
      `"${command.line}" does not print "${command.shows}", as README.md says:\n${ran.output}`,
    );
  }
  return ran;
}

test(
  "README.md's quick start, run as written in a fresh copy, installs, validates, serves UP and checks through npm run vitals",
  { timeout: 420_000 },
  async (t) => {
    const reason = cannotRun();
    if (reason) {
      console.log(`skipping the newcomer test: ${reason}`);
      t.skip(reason);
      return;
    }
    const [first = [], second = [], ...more] = quickStart();
    assert.equal(more.length, 0, "the quick start has two sh blocks: one terminal, then another");
    const serving = first.at(-1);
    assert.match(serving?.line ?? "", /^npm run vitals -- serve /, "the first block ends serving");
    const all = [...first, ...second];
    assert.equal(all.filter((c) => /\bserve\b/.test(c.line)).length, 1, "one command serves");
    // Every vitals command goes through the documented npm script.
    for (const { line } of all) {
      if (/\b(vitals|main\.ts)\b/.test(line)) assert.match(line, /^npm run vitals -- /, line);
    }
    for (const command of ["--version", "validate", "check"]) {
      assert.ok(
        all.some(({ line }) => line.startsWith(`npm run vitals -- ${command}`)),
        `the quick start runs npm run vitals -- ${command}`,
      );
    }
    const curls = second.filter(({ line }) => line.startsWith("curl "));
    assert.equal(curls.length, 2, "two curls in the other terminal");

    const dir = await freshCopy();
    const netns = `vitals-nc-${process.pid}`;
    let server: ReturnType<typeof start> | undefined;
    try {
      assert.ok(!existsSync(`${dir}/node_modules`), "the copy starts without node_modules");
      for (const command of first.slice(0, -1)) await run(command, dir);

      // The first terminal's last command serves, in the test's network namespace
      // and in a PID namespace of its own.
      assert.equal(spawnSync("ip", ["netns", "add", netns]).status, 0, "ip netns add");
      spawnSync("ip", ["netns", "exec", netns, "ip", "link", "set", "lo", "up"]);
      server = start([], {
        command: [
          "ip",
          "netns",
          "exec",
          netns,
          "unshare",
          "--pid",
          "--fork",
          "--kill-child=SIGKILL",
          "sh",
          "-c",
          `cd "$1" && ${serving!.line}`,
          "serve",
          dir,
        ],
        env: NPM_ENV,
      });
      const [simple, full] = curls as [Command, Command];
      const up = (output: string) =>
        /^HTTP\/1\.1 200 /m.test(output) && output.endsWith('{"status":"UP"}');
      assert.ok(
        await eventually(async () => {
          const ran = await runLine(simple.line, dir, netns);
          return ran.code === 0 && up(ran.stdout);
        }, 90_000),
        `"${simple.line}" never saw 200 UP:\n${server.stdout}${server.stderr}`,
      );

      // The other terminal, command by command, in the same network namespace.
      for (const command of second) {
        const ran = await run(command, dir, netns);
        if (command === simple) {
          assert.ok(up(ran.stdout), ran.stdout);
        } else if (command === full) {
          assert.equal((JSON.parse(ran.stdout) as { status?: string }).status, "UP", ran.stdout);
        } else if (/^npm run vitals -- check\b/.test(command.line)) {
          assert.match(ran.stdout, /^status: UP \(/m, ran.stdout);
        }
      }

      // Stopping the first process stops every process of its PID namespace.
      await stop(server);
      assert.ok(
        await eventually(() => {
          const pids = spawnSync("ip", ["netns", "pids", netns], { encoding: "utf8" });
          return pids.status === 0 && pids.stdout.trim() === "";
        }, 10_000),
        "processes of the quick start outlived it",
      );

      // The alias, defined in the copy and used from another folder, with a path relative to it.
      const elsewhere = await tempDir();
      try {
        writeFileSync(
          `${elsewhere}/mine.yaml`,
          "checks:\n  - {name: tmp, type: file, path: /tmp}\n",
        );
        const ran = await runShell(
          `cd "$COPY" && ${documentedAlias()}\ncd "$ELSEWHERE" || exit 1\nvitals validate --config mine.yaml`,
          dir,
          { ...NPM_ENV, COPY: dir, ELSEWHERE: elsewhere },
          COMMAND_MS,
        );
        assert.equal(ran.code, 0, ran.output);
        assert.equal(ran.stdout, 'config OK: 1 check in "mine.yaml"\n');
      } finally {
        await rm(elsewhere, { recursive: true, force: true });
      }
    } finally {
      if (server) await stop(server);
      spawnSync("ip", ["netns", "del", netns]);
      await rm(dir, { recursive: true, force: true });
    }
  },
);
