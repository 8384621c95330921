// deno.json's build tasks, run as a user runs them, in a copy of the
// repository (so dist/ here is left alone): `deno task compile:bun` leaves
// exactly the binary and its SHA-256 in dist/, `sha256sum -c` accepts the
// file, and the binary says it was compiled with bun build --compile;
// `deno task compile:bun:maps` writes the same build with its source maps
// to dist-maps/. It runs on the Deno runner only: `deno task` is Deno's, and
// the Bun runner would build the same binary again.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { cpSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { rm } from "node:fs/promises";
import process from "node:process";
import { test } from "node:test";
import { VERSION } from "../../src/version.ts";
import { runShell } from "../_helpers/shell.ts";
import { ROOT, tempDir } from "../_helpers/files.ts";
import { runVitals } from "../_helpers/processes.ts";

const SKIP = "Bun" in globalThis ? "the Deno runner covers it (deno task is Deno's)" : false;

/** A copy of what the build tasks read, with the repository's node_modules linked in. */
async function copyOfRepository(): Promise<string> {
  const dir = await tempDir();
  for (const file of ["deno.json", "package.json", "package-lock.json", "main.ts", "src"]) {
    cpSync(`${ROOT}${file}`, `${dir}/${file}`, { recursive: true });
  }
  symlinkSync(`${ROOT}node_modules`, `${dir}/node_modules`);
  return dir;
}

/** Runs `deno task <name>` in `dir`; fails the test unless it exits 0. */
async function task(name: string, dir: string): Promise<void> {
  const { code, output } = await runShell(`"${process.execPath}" task ${name}`, dir, {
    NO_COLOR: "1",
  });
  assert.equal(code, 0, `deno task ${name} failed:\n${output}`);
}

test(
  "deno task compile:bun leaves only the binary and a sha256sum file in dist/, and compile:bun:maps the same build with maps in dist-maps/",
  { skip: SKIP, timeout: 300_000 },
  async () => {
    const dir = await copyOfRepository();
    try {
      await task("compile:bun", dir);
      assert.deepEqual(readdirSync(`${dir}/dist`).sort(), ["vitals", "vitals.sha256"]);
      const sum = createHash("sha256").update(readFileSync(`${dir}/dist/vitals`)).digest("hex");
      assert.equal(readFileSync(`${dir}/dist/vitals.sha256`, "utf8"), `${sum}  vitals\n`);
      const check = await runShell("sha256sum -c vitals.sha256", `${dir}/dist`, {});
      assert.equal(check.code, 0, check.output);
      assert.equal(check.output.trim(), "vitals: OK");
      const version = await runVitals(["--version"], { command: [`${dir}/dist/vitals`] });
      assert.match(
        version.stdout,
        new RegExp(
          `^vitals ${
            VERSION.replaceAll(".", "\\.")
          } \\(bun \\S+, compiled with bun build --compile\\)\\n$`,
        ),
      );

      await task("compile:bun:maps", dir);
      const maps = readdirSync(`${dir}/dist-maps`);
      assert.ok(maps.includes("vitals"), maps.join());
      assert.ok(maps.some((name) => name.endsWith(".map")), `no source maps in ${maps.join()}`);
      assert.deepEqual(
        readdirSync(`${dir}/dist`).sort(),
        ["vitals", "vitals.sha256"],
        "dist/ kept",
      );
      const mapped = await runVitals(["--version"], { command: [`${dir}/dist-maps/vitals`] });
      assert.equal(mapped.stdout, version.stdout);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);
