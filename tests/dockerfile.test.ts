// The Dockerfile, read as text (no Docker engine is needed): its HEALTHCHECK
// runs `vitals probe` in exec form from where the image puts the binary, it
// runs as a numeric non-root user, and its version label is vitals' version.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { VERSION } from "../src/version.ts";
import { ROOT } from "./helpers.ts";

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
