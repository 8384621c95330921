/**
 * The help texts, built from the option table in `options.ts`: `vitals
 * --help` lists every command, `vitals <command> --help` every option the
 * command accepts.
 *
 * @module
 */

import {
  type Command,
  COMMANDS,
  type CommandSpec,
  COMMON_OPTIONS,
  optionsOf,
  type OptionSpec,
} from "./options.ts";

/** The options block of a help text, aligned in two columns. */
function optionLines(options: readonly OptionSpec[]): string {
  const left = options.map((spec) => {
    const short = spec.short === undefined ? "    " : `-${spec.short}, `;
    return `  ${short}--${spec.name}${spec.value === undefined ? "" : ` ${spec.value}`}`;
  });
  const width = Math.max(...left.map((text) => text.length)) + 2;
  return options.map((spec, index) => {
    const [first, ...rest] = spec.help.split("\n");
    const lines = [`${left[index]!.padEnd(width)}${first}`];
    for (const line of rest) lines.push(`${" ".repeat(width)}${line}`);
    return lines.join("\n");
  }).join("\n");
}

/**
 * The help text of `command`, or of vitals as a whole.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { helpText } from "./help.ts";
 * assert(helpText("check").includes("--wait DURATION"));
 * ```
 */
export function helpText(command?: Command): string {
  if (command === undefined) {
    const names = Object.keys(COMMANDS) as Command[];
    const usages = names.map((name) => `vitals ${COMMANDS[name].usage}`);
    const width = Math.max(...usages.map((text) => text.length)) + 2;
    const list = names.map((name, index) =>
      `  ${usages[index]!.padEnd(width)}${COMMANDS[name].summary}`
    );
    return `vitals: a config-driven health-check sidecar

Usage:
${list.join("\n")}

Options:
${optionLines(COMMON_OPTIONS)}

Exit codes: 0 ok, 1 DOWN or runtime failure, 2 usage or config error.
Run "vitals <command> --help" for a command's options.`;
  }
  const spec: CommandSpec = COMMANDS[command];
  return `Usage: vitals ${spec.usage}

${spec.description}

Options:
${optionLines(optionsOf(command))}`;
}
