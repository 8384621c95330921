// The command line's option table (src/cli/options.ts) and the help built
// from it (src/cli/help.ts): every option a command accepts is listed in its
// --help, every listed option is accepted, and nothing outside the table is.

import assert from "node:assert/strict";
import { test } from "node:test";
import { parseArgs } from "node:util";
import { helpText } from "../../src/cli/help.ts";
import { parseFlags, readPlainFlags, UsageError } from "../../src/cli/flags.ts";
import { type Command, COMMANDS, optionsOf } from "../../src/cli/options.ts";
import { runCliHere } from "../_helpers/cli.ts";

const NAMES = Object.keys(COMMANDS) as Command[];

for (const command of NAMES) {
  test(`vitals ${command} --help lists every option ${command} accepts, as the table says`, async () => {
    const { code, stdout } = await runCliHere([command, "--help"]);
    assert.equal(code, 0);
    assert.equal(stdout, helpText(command));
    for (const spec of optionsOf(command)) {
      const long = `--${spec.name}${spec.value === undefined ? "" : ` ${spec.value}`}`;
      const shown = spec.short === undefined ? `    ${long}` : `-${spec.short}, ${long}`;
      const line = stdout.split("\n").find((text) => text.includes(shown));
      assert.ok(line, `"${shown}" is in the help of ${command}:\n${stdout}`);
      assert.ok(line.includes(spec.help.split("\n")[0]!), `the help line of --${spec.name}`);
    }
  });

  test(`vitals ${command} accepts every option in its table and nothing else`, () => {
    for (const spec of optionsOf(command)) {
      const args = spec.value === undefined ? [`--${spec.name}`] : [`--${spec.name}`, "x"];
      const flags = parseFlags(command, args);
      assert.equal(flags[spec.name], spec.value === undefined ? true : "x", `--${spec.name}`);
      if (spec.short !== undefined) {
        const short = spec.value === undefined ? [`-${spec.short}`] : [`-${spec.short}`, "x"];
        assert.notEqual(parseFlags(command, short)[spec.name], undefined, `-${spec.short}`);
      }
    }
    assert.throws(() => parseFlags(command, ["--not-in-the-table"]), UsageError);
    assert.throws(() => parseFlags(command, ["positional"]), UsageError);
  });
}

test("vitals --help lists every command with its summary and the common options", async () => {
  const { code, stdout } = await runCliHere(["--help"]);
  assert.equal(code, 0);
  for (const command of NAMES) {
    const line = stdout.split("\n").find((text) =>
      text.includes(`vitals ${COMMANDS[command].usage} `)
    );
    assert.ok(line?.includes(COMMANDS[command].summary), `${command} in:\n${stdout}`);
  }
  assert.match(stdout, /-h, --help/);
  assert.match(stdout, /-V, --version/);
});

test("serve's help names --watch, --log-format and --log-level, and check's names --wait", () => {
  for (const flag of ["--watch", "--log-format FORMAT", "--log-level LEVEL"]) {
    assert.ok(helpText("serve").includes(flag), flag);
  }
  assert.ok(helpText("check").includes("--wait DURATION"));
});

test("the plain command lines parseFlags reads itself give what parseArgs gives, and the rest go to parseArgs", () => {
  const lines: [Command, string[]][] = [
    ["probe", []],
    ["probe", ["--url", "http://127.0.0.1:1/x", "--timeout", "2s"]],
    ["probe", ["--group=live", "--group", "all"]],
    ["probe", ["--url=-x"]],
    ["check", ["-c", "a.yaml", "--json", "--wait", "30s", "-c", "b.yaml"]],
    ["serve", ["--watch", "--port", "0", "--log-level=debug", "-h", "-V"]],
    ["validate", ["--config="]],
  ];
  for (const [command, args] of lines) {
    const plain = readPlainFlags(command, args);
    assert.ok(plain, `${command} ${args.join(" ")} is read without parseArgs`);
    assert.deepStrictEqual(plain, parseFlagsWithNode(command, args), args.join(" "));
  }
  const others: [Command, string[]][] = [
    ["probe", ["--url"]],
    ["probe", ["--url", "--group"]],
    ["probe", ["--url", "-"]],
    ["check", ["-jc", "a.yaml"]],
    ["check", ["-ca.yaml"]],
    ["check", ["--json=yes"]],
    ["check", ["--", "x"]],
    ["check", ["x"]],
    ["check", ["--unknown"]],
    ["check", ["-undefined"]],
  ];
  for (const [command, args] of others) {
    assert.equal(readPlainFlags(command, args), undefined, args.join(" "));
    let expected: unknown;
    try {
      expected = parseFlagsWithNode(command, args);
    } catch (error) {
      expected = (error as Error).message;
    }
    let got: unknown;
    try {
      got = parseFlags(command, args);
    } catch (error) {
      got = (error as Error).message;
    }
    assert.deepStrictEqual(got, expected, args.join(" "));
  }
});

/** `parseArgs` over the table, as parseFlags used it for every command line before. */
function parseFlagsWithNode(command: Command, args: string[]) {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  for (const spec of optionsOf(command)) {
    options[spec.name] = {
      type: spec.value === undefined ? "boolean" : "string",
      ...(spec.short === undefined ? {} : { short: spec.short }),
    };
  }
  return parseArgs({ args, options, allowPositionals: false, strict: true }).values;
}
