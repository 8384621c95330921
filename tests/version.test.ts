// The version has one source, package.json's `version`: src/version.ts reads
// it as a JSON module, and `--version`, `/metrics`' vitals_info and the
// recipes' image tags all show it. `--version` also says which runtime runs
// vitals and how it was built. The Dockerfile's label is fed from the same
// field (tests/dockerfile.test.ts); the compiled binary's `--version` is run
// by tests/e2e/distroless.test.ts (the image's binary) and
// tests/e2e/compile.test.ts (`deno task compile:bun`).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { versionLine } from "../src/cli/run.ts";
import { VERSION } from "../src/version.ts";
import { createTestApp } from "./_helpers/apps.ts";
import { ROOT } from "./_helpers/files.ts";
import { get } from "./_helpers/http.ts";
import { runVitals } from "./_helpers/processes.ts";

const PACKAGE_VERSION = (JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")) as {
  version: string;
}).version;
const RUNTIME = "Bun" in globalThis ? "bun" : "deno";

test("VERSION is package.json's version, a semantic version", () => {
  assert.equal(VERSION, PACKAGE_VERSION);
  assert.match(VERSION, /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/);
  const source = readFileSync(`${ROOT}src/version.ts`, "utf8");
  assert.doesNotMatch(source, /["']\d+\.\d+\.\d+/, "src/version.ts writes no version of its own");
});

test("the --version line names the version, the runtime and how vitals was built", () => {
  assert.equal(
    versionLine({ runtime: "bun", version: "1.4.4", build: "bun build --compile" }),
    `vitals ${VERSION} (bun 1.4.4, compiled with bun build --compile)`,
  );
  assert.equal(
    versionLine({ runtime: "deno", version: "2.9.6", build: "deno compile" }),
    `vitals ${VERSION} (deno 2.9.6, compiled with deno compile)`,
  );
  assert.equal(
    versionLine({ runtime: "deno", version: "2.9.6", build: "source" }),
    `vitals ${VERSION} (deno 2.9.6, run from source)`,
  );
});

test(`vitals --version from source prints package.json's version, ${RUNTIME} and "run from source"`, async () => {
  const result = await runVitals(["--version"]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stdout,
    new RegExp(
      `^vitals ${
        PACKAGE_VERSION.replaceAll(".", "\\.")
      } \\(${RUNTIME} \\d+\\.\\d+\\.\\d+\\S*, run from source\\)\\n$`,
    ),
  );
});

test("/metrics' vitals_info carries package.json's version", async () => {
  const app = createTestApp();
  try {
    const text = await (await get(app, "/metrics")).text();
    const info = text.split("\n").find((line) => line.startsWith("vitals_info{"));
    assert.ok(info, text);
    assert.match(info, new RegExp(`\\bversion="${PACKAGE_VERSION.replaceAll(".", "\\.")}"`));
  } finally {
    app.health.close();
  }
});

test("the recipes' vitals image is tagged with package.json's version", () => {
  for (const file of ["vitals-sidecar.yaml", "vitals-sidecar-grpc.yaml", "vitals-llm.yaml"]) {
    const text = readFileSync(`${ROOT}deploy/kubernetes/${file}`, "utf8");
    const tags = [...text.matchAll(/image: \S*vitals:(\S+)/g)].map((match) => match[1]);
    assert.deepEqual(tags, [PACKAGE_VERSION], file);
  }
});
