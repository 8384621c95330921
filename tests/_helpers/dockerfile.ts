/**
 * The Dockerfile read as data (its stages and their instructions), and a
 * build stage's steps run outside Docker: WORKDIR, ARG, ENV, COPY from the
 * build context and RUN, in a temporary directory that stands for the
 * stage's file system. No Docker engine is needed, so the gate builds the
 * image's binary with the image's own commands.
 *
 * @module
 */

import assert from "node:assert/strict";
import { cpSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./files.ts";
import { runShell } from "./shell.ts";

/** One instruction: its keyword in upper case and the rest of its line. */
export interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** One stage: its base image, its name (`AS name`), and its instructions after `FROM`. */
export interface Stage {
  readonly base: string;
  readonly name: string;
  readonly instructions: readonly Instruction[];
}

/** The Dockerfile's instructions, continuation lines joined, comments and blank lines dropped. */
export function instructions(text = readFileSync(`${ROOT}Dockerfile`, "utf8")): Instruction[] {
  return text.split("\n").filter((line) => !line.trimStart().startsWith("#")).join("\n")
    .replace(/\\\n\s*/g, " ").split("\n").filter((line) => line.trim() !== "")
    .map((line) => {
      const [keyword = "", ...rest] = line.trim().split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(" ") };
    });
}

/** The Dockerfile's stages, in order; the last is what `docker build` builds by default. */
export function stages(text?: string): Stage[] {
  const found: { base: string; name: string; instructions: Instruction[] }[] = [];
  for (const instruction of instructions(text)) {
    if (instruction.keyword === "FROM") {
      const [base = "", as, name] = instruction.args.split(/\s+/);
      assert.ok(
        as?.toUpperCase() === "AS" && name,
        `every stage is named: FROM ${instruction.args}`,
      );
      found.push({ base, name, instructions: [] });
    } else {
      assert.ok(found.length > 0, `${instruction.keyword} before the first FROM`);
      found.at(-1)!.instructions.push(instruction);
    }
  }
  return found;
}

/** The stage called `name`. */
export function stageNamed(name: string, text?: string): Stage {
  const stage = stages(text).find((candidate) => candidate.name === name);
  assert.ok(stage, `the Dockerfile has no stage "${name}"`);
  return stage;
}

/** A `COPY --from=stage source destination` of a stage, split. */
export interface CopyFrom {
  readonly from: string;
  readonly source: string;
  readonly destination: string;
}

/** The `COPY --from=` instructions of `stage`. */
export function copiesFrom(stage: Stage): CopyFrom[] {
  return stage.instructions.filter((i) => i.keyword === "COPY" && i.args.startsWith("--from="))
    .map((i) => {
      const [from = "", source = "", destination = ""] = i.args.split(/\s+/);
      return { from: from.slice("--from=".length), source, destination };
    });
}

/** The working directory a stage's `WORKDIR` sets (the last one). */
export function workdirOf(stage: Stage): string {
  const workdir = stage.instructions.findLast((i) => i.keyword === "WORKDIR")?.args ?? "";
  assert.ok(workdir.startsWith("/"), `stage "${stage.name}" sets an absolute WORKDIR`);
  return workdir;
}

/**
 * Runs the steps of build stage `name` outside Docker, with `dir` standing
 * for the stage's `/`: COPY takes files from the repository (the build
 * context), ARG takes its value from `args`, RUN runs in `sh` in the
 * WORKDIR with the tools on this machine's PATH (its `node`, `npm`, `npx`).
 * Any other instruction fails the test, so the stage cannot grow a step this
 * helper does not play. Resolves with the path standing for the WORKDIR.
 */
export async function buildStage(
  name: string,
  dir: string,
  args: Record<string, string>,
  env: Record<string, string> = {},
): Promise<string> {
  const stage = stageNamed(name);
  let cwd = dir;
  const stageEnv: Record<string, string> = { ...env };
  for (const { keyword, args: rest } of stage.instructions) {
    if (keyword === "WORKDIR") {
      cwd = join(dir, rest);
      mkdirSync(cwd, { recursive: true });
    } else if (keyword === "ARG") {
      const [key = "", value] = rest.split("=", 2);
      const given = args[key] ?? value;
      if (given !== undefined) stageEnv[key] = given;
    } else if (keyword === "ENV") {
      const [key = "", value = ""] = rest.split("=", 2);
      stageEnv[key] = value;
    } else if (keyword === "COPY" && !rest.startsWith("--")) {
      const words = rest.split(/\s+/);
      const destination = words.at(-1)!;
      const target = destination.startsWith("/") ? join(dir, destination) : join(cwd, destination);
      for (const source of words.slice(0, -1)) {
        const into = destination.endsWith("/") && !source.endsWith("/")
          ? join(target, source.split("/").at(-1)!)
          : target;
        cpSync(join(ROOT, source), into, { recursive: true });
      }
    } else if (keyword === "RUN") {
      const { code, output } = await runShell(rest, cwd, stageEnv);
      assert.equal(code, 0, `RUN ${rest} (stage "${name}") failed:\n${output}`);
    } else {
      assert.fail(`the outside-Docker build does not play ${keyword} (stage "${name}")`);
    }
  }
  return cwd;
}
