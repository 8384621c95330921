// The Dockerfile, read as text (no Docker engine is needed), and the build
// tasks it mirrors. Its default target (the last stage) holds the binary the
// tests run and the benchmarks measure: `bun build --compile` with exactly
// the flags of deno.json's `compile:bun` task; `--target deno` holds the one
// `deno task compile` builds, with the permissions
// tests/e2e/deno_permissions.test.ts runs Deno with. Both share one runtime
// stage: its HEALTHCHECK runs `vitals probe` in exec form from where the
// binary is copied, it runs as a numeric non-root user, and its version label
// is fed from package.json (`npm run image`), which each build stage checks
// (the check is run here, in sh). `compile:bun` leaves only the binary and
// its SHA-256 in dist/; source maps are a task of their own.
// tests/e2e/distroless.test.ts runs the default target's build steps.

import assert from "node:assert/strict";
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import process from "node:process";
import { test } from "node:test";
import { ROOT } from "./_helpers/files.ts";
import { copiesFrom, type Stage, stageNamed, stages, workdirOf } from "./_helpers/dockerfile.ts";
import { runShell } from "./_helpers/shell.ts";
import { denoTasks, shippedPermissions } from "./e2e/shipped_permissions.ts";

const PACKAGE = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")) as {
  version: string;
  scripts: Record<string, string>;
};

/** The stage the image's final stage `name` copies its binary from, and the copy. */
function binarySource(name: string): { build: Stage; source: string; destination: string } {
  const [copy, ...others] = copiesFrom(stageNamed(name));
  assert.ok(copy && others.length === 0, `stage "${name}" copies one file from a build stage`);
  return { build: stageNamed(copy.from), source: copy.source, destination: copy.destination };
}

/** The RUN commands of a stage. */
function runs(stage: Stage): string[] {
  return stage.instructions.filter((i) => i.keyword === "RUN").map((i) => i.args);
}

/** The words of a deno.json task. */
function taskWords(name: string): string[] {
  return (denoTasks()[name] ?? "").split(/\s+/);
}

test("the default target (the last stage) is the bun build --compile binary, built with compile:bun's flags", () => {
  const all = stages();
  assert.equal(all.at(-1)?.name, "bun", "the last stage, which docker build builds by default");
  const { build, source } = binarySource("bun");
  const bunRuns = runs(build).filter((command) => command.includes(" build --compile"));
  assert.equal(bunRuns.length, 1, `one bun build in stage "${build.name}"`);
  const words = bunRuns[0]!.split(/\s+/);
  const task = taskWords("compile:bun");
  assert.deepEqual(words.slice(0, 4), ["npx", "-y", "bun@1.4.4", "build"], "the pinned Bun");
  const between = (list: string[]) =>
    list.slice(list.indexOf("build"), list.indexOf("--outfile")).join(" ");
  assert.equal(between(words), between(task), "the flags and entry points of compile:bun");
  assert.equal(task[task.indexOf("--outfile") + 1], "dist/vitals");
  const out = words[words.indexOf("--outfile") + 1];
  assert.equal(source, `${workdirOf(build)}/${out}`, "the image takes what the build wrote");
});

test("--target deno holds the binary deno.json's compile task builds, with the permissions the Deno tests run with", () => {
  const { build, source } = binarySource("deno");
  assert.ok(runs(build).includes("deno task compile"), runs(build).join("\n"));
  assert.ok(!runs(build).some((line) => /\bdeno compile\b/.test(line)), "no flags of its own");
  const words = taskWords("compile");
  assert.equal(words.slice(0, 2).join(" "), "deno compile");
  const output = words[words.indexOf("--output") + 1];
  assert.equal(
    source,
    `${workdirOf(build)}/${output}`,
    "the image takes what the compile task wrote",
  );
  assert.deepEqual(
    words.filter((word) => word.startsWith("--allow-")),
    shippedPermissions(),
    "tests/e2e/deno_permissions.test.ts reads the same flags",
  );
});

test("both targets are the one runtime stage with a binary copied to its ENTRYPOINT, whose HEALTHCHECK runs vitals probe in exec form", () => {
  const runtime = stageNamed("runtime");
  const entrypoint = runtime.instructions.find((i) => i.keyword === "ENTRYPOINT")?.args;
  const healthcheck = runtime.instructions.find((i) => i.keyword === "HEALTHCHECK")?.args;
  assert.ok(entrypoint && healthcheck, runtime.instructions.map((i) => i.keyword).join());
  for (const name of ["bun", "deno"]) {
    const stage = stageNamed(name);
    assert.equal(stage.base, "runtime", `${name} is built FROM the runtime stage`);
    assert.deepEqual(stage.instructions.map((i) => i.keyword), ["COPY"], `${name} adds only it`);
    const { destination } = binarySource(name);
    assert.equal(entrypoint, `["${destination}"]`, name);
    assert.match(healthcheck, new RegExp(` CMD \\["${destination}", "probe"\\]$`), name);
  }
});

test("the image runs as a numeric non-root user and labels its version from a VERSION that has no default", () => {
  const runtime = stageNamed("runtime");
  const args = (i: { keyword: string; args: string }) => i.keyword === "ARG" ? [i.args] : [];
  assert.ok(runtime.instructions.some((i) => i.keyword === "USER" && i.args === "65532:65532"));
  assert.deepEqual(runtime.instructions.flatMap(args), ["VERSION"], "ARG VERSION, no default");
  const label = runtime.instructions.find((i) => i.keyword === "LABEL")?.args ?? "";
  for (const key of ["title", "description", "licenses"]) {
    assert.match(label, new RegExp(`org\\.opencontainers\\.image\\.${key}=`), key);
  }
  assert.match(label, /org\.opencontainers\.image\.version="\$\{VERSION\}"/);
  const text = readFileSync(`${ROOT}Dockerfile`, "utf8");
  assert.ok(!text.includes(PACKAGE.version), `the Dockerfile hard-codes ${PACKAGE.version}`);
  assert.doesNotMatch(text, /ARG VERSION=/, "no default version");
});

test("npm run image feeds VERSION from package.json's version", async () => {
  assert.match(PACKAGE.scripts["image"] ?? "", /--build-arg VERSION=\$npm_package_version\b/);
  // npm run image, with a docker on PATH that prints what it was given.
  const dir = mkdtempSync(`${tmpdir()}/vitals-image-`);
  try {
    writeFileSync(`${dir}/docker`, '#!/bin/sh\nprintf "%s\\n" "$@"\n');
    chmodSync(`${dir}/docker`, 0o755);
    const { code, output } = await runShell("npm run --silent image", ROOT, {
      PATH: `${dir}:${process.env["PATH"]}`,
    });
    assert.equal(code, 0, output);
    const argv = output.trim().split("\n");
    assert.equal(argv[0], "build");
    assert.equal(argv[argv.indexOf("--build-arg") + 1], `VERSION=${PACKAGE.version}`);
    assert.equal(argv.at(-1), ".", "the repository is the build context");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("each build stage stops unless VERSION is package.json's version", async () => {
  const dir = mkdtempSync(`${tmpdir()}/vitals-version-check-`);
  try {
    cpSync(`${ROOT}package.json`, `${dir}/package.json`);
    for (const name of ["build", "deno-build"]) {
      const guard = runs(stageNamed(name)).find((command) => command.includes("$VERSION"));
      assert.ok(guard, `stage "${name}" checks VERSION`);
      const [major, minor, patch] = PACKAGE.version.split(".").map(Number);
      const cases: [Record<string, string>, number][] = [
        [{ VERSION: PACKAGE.version }, 0],
        [{ VERSION: `${major}.${minor}.${(patch ?? 0) + 1}` }, 1],
        [{ VERSION: `${major}.${minor}` }, 1],
        [{ VERSION: "" }, 1],
      ];
      for (const [env, expected] of cases) {
        const { code, output } = await runShell(guard, dir, env);
        assert.equal(code, expected, `${name} with VERSION="${env["VERSION"]}": ${output}`);
        if (expected !== 0) assert.match(output, /npm run image/);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("compile:bun writes no source maps to dist/ and a sha256sum file beside the binary; compile:bun:maps adds --sourcemap elsewhere", () => {
  const task = denoTasks()["compile:bun"] ?? "";
  assert.ok(!task.includes("--sourcemap"), "the shipped build has no source maps");
  assert.match(task, /&& rm -f dist\/\*\.map && cd dist && sha256sum vitals > vitals\.sha256$/);
  const maps = taskWords("compile:bun:maps");
  const shipped = taskWords("compile:bun");
  const flags = (words: string[]) => words.slice(0, words.indexOf("--outfile"));
  assert.deepEqual(
    flags(maps).filter((word) => word !== "--sourcemap"),
    flags(shipped),
    "the same build, plus --sourcemap",
  );
  assert.ok(maps.includes("--sourcemap"));
  const out = maps[maps.indexOf("--outfile") + 1] ?? "";
  assert.ok(!out.startsWith("dist/"), `maps go outside dist/: ${out}`);
  const ignored = readFileSync(`${ROOT}.gitignore`, "utf8").split("\n");
  assert.ok(ignored.includes(`${out.split("/")[0]}/`), `${out}'s folder is git-ignored`);
});
