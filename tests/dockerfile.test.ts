// The Dockerfile, read as text (no Docker engine is needed): its HEALTHCHECK
// runs `vitals probe` in exec form from where the image puts the binary, it
// runs as a numeric non-root user, its version label is vitals' version, and
// its binary is what deno.json's compile task builds, with the permissions
// tests/e2e/deno_permissions.test.ts runs Deno with.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { VERSION } from "../src/version.ts";
import { ROOT } from "./_helpers/files.ts";
import { denoTasks, shippedPermissions } from "./e2e/shipped_permissions.ts";

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
function instructions(): string[] {
  const text = readFileSync(`${ROOT}Dockerfile`, "utf8");
  return text.split("\n").filter((line) => !line.trimStart().startsWith("#")).join("\n")
    .replace(/\\\n\s*/g, " ").split("\n").filter((line) => line.trim() !== "");
}

test("the image's HEALTHCHECK runs vitals probe, in exec form, from where the binary is copied", () => {
  const lines = instructions();
  const copied = lines.find((line) => line.startsWith("COPY --from=build"))?.split(/\s+/).at(-1);
  const entrypoint = lines.find((line) => line.startsWith("ENTRYPOINT"));
  const healthcheck = lines.find((line) => line.startsWith("HEALTHCHECK"));
  assert.ok(copied && healthcheck && entrypoint, lines.join("\n"));
  assert.equal(entrypoint, `ENTRYPOINT ["${copied}"]`);
  assert.match(healthcheck, new RegExp(` CMD \\["${copied}", "probe"\\]$`));
});

test("the image runs as a numeric non-root user and labels its version", () => {
  const lines = instructions();
  assert.ok(lines.includes("USER 65532:65532"), lines.join("\n"));
  assert.ok(lines.includes(`ARG VERSION=${VERSION}`), "ARG VERSION matches src/version.ts");
  const label = lines.find((line) => line.startsWith("LABEL")) ?? "";
  for (const key of ["title", "description", "licenses", "version"]) {
    assert.match(label, new RegExp(`org\\.opencontainers\\.image\\.${key}=`), key);
  }
});

test("the image's binary is built by deno.json's compile task, the permissions the Deno tests run with", () => {
  const lines = instructions();
  const workdir = lines.find((line) => line.startsWith("WORKDIR"))?.split(/\s+/)[1];
  assert.ok(lines.includes("RUN deno task compile"), lines.join("\n"));
  assert.ok(!lines.some((line) => /\bdeno compile\b/.test(line)), "no flags of its own");
  const words = (denoTasks()["compile"] ?? "").split(/\s+/);
  assert.equal(words.slice(0, 2).join(" "), "deno compile");
  const output = words[words.indexOf("--output") + 1];
  const copied = lines.find((line) => line.startsWith("COPY --from=build"))?.split(/\s+/)[2];
  assert.equal(copied, `${workdir}/${output}`, "the image takes what the compile task wrote");
  assert.deepEqual(
    words.filter((word) => word.startsWith("--allow-")),
    shippedPermissions(),
    "tests/e2e/deno_permissions.test.ts reads the same flags",
  );
});
