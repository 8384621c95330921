// What each command loads, read from the import statements of the source
// (the benchmark's section 6 checks the same at run time on the compiled
// bundle, bench/probe_modules.ts): probe, --version and --help load no
// parser, validator, check kind, other subcommand or Node built-in, and not
// the platform's lazily loaded part; check and validate load no server; and no module of
// vitals imports a `node:` built-in statically, since Bun's bundler hoists
// such an import to the start of every command of the compiled binary.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { ROOT } from "../_helpers/files.ts";

interface Imports {
  /** Specifiers imported for their values (`import type` and all-`type` lists left out). */
  readonly values: string[];
  /** Specifiers of `import("...")`. */
  readonly dynamic: string[];
}

const STATIC =
  /^\s*(import|export)(\s+type\b)?([^;'"]*?)\bfrom\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']/gm;
const DYNAMIC = /\bimport\(\s*["']([^"']+)["']\s*\)/g;

function importsOf(file: string): Imports {
  // A line of a JSDoc example starts with `*`, so the patterns do not take it for an import.
  const source = readFileSync(file, "utf8");
  const values: string[] = [];
  for (const match of source.matchAll(STATIC)) {
    if (match[5] !== undefined) {
      values.push(match[5]);
      continue;
    }
    if (match[2] !== undefined) continue; // import type / export type
    const clause = match[3]!.trim();
    const onlyTypes = /^\{[^}]*\}$/.test(clause) &&
      clause.slice(1, -1).split(",").map((name) => name.trim()).filter(Boolean)
        .every((name) => name.startsWith("type "));
    if (!onlyTypes) values.push(match[4]!);
  }
  const lines = source.split("\n").filter((line) => !/^\s*(\*|\/\/)/.test(line)).join("\n");
  return { values, dynamic: [...lines.matchAll(DYNAMIC)].map((match) => match[1]!) };
}

/** What loading `entries` loads: files by static value imports, and the packages they name. */
function loads(...entries: string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const specifier of importsOf(file).values) {
      if (specifier.startsWith(".")) visit(resolve(dirname(file), specifier));
      else packages.add(specifier);
    }
  };
  for (const entry of entries) visit(join(ROOT, entry));
  return {
    files: new Set([...files].map((file) => relative(ROOT, file))),
    packages,
  };
}

/** Every file reachable from `entry` by static or dynamic imports. */
function reachable(entry: string): string[] {
  const files = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const { values, dynamic } = importsOf(file);
    for (const specifier of [...values, ...dynamic]) {
      if (specifier.startsWith(".")) visit(resolve(dirname(file), specifier));
    }
  };
  visit(join(ROOT, entry));
  return [...files].map((file) => relative(ROOT, file)).sort();
}

/** What every command loads: main.ts, the platform's globals part and the runner. */
const BASE = ["main.ts", "src/platform/mod.ts", "src/cli/run.ts"];

const CONFIG_LOADER = /^src\/config\/(load|schema|resolve)\.ts$/;
const CHECK_KIND = /^src\/checks\//;
const SERVER =
  /^src\/(cli\/serve|platform\/_http1\/(http1_server|bun_server|codec)|grpc\/server\/.*)\.ts$/;
const SUBCOMMAND = /^src\/cli\/(serve|check|validate|schema|probe|hash_token)\.ts$/;
const LAZY_PLATFORM = /^src\/platform\/(bun|deno|_process\/.*|_node\/.*|_net\/.*|_http1\/.*)\.ts$/;

function matching(files: Iterable<string>, pattern: RegExp): string[] {
  return [...files].filter((file) => pattern.test(file)).sort();
}

test("the import reader sees value imports, skips type-only ones and finds import()", () => {
  const imports = importsOf(join(ROOT, "src/platform/mod.ts"));
  assert.ok(imports.values.includes("./_runtime/globals.ts"), imports.values.join());
  assert.deepEqual(imports.dynamic.sort(), ["./_node/node_part.ts", "./bun.ts", "./deno.ts"]);
  const flags = importsOf(join(ROOT, "src/cli/flags.ts"));
  assert.ok(!flags.values.includes("node:util"), "flags.ts imports node:util as a type only");
  const { packages } = loads("src/config/load.ts");
  assert.ok(packages.has("yaml") && packages.has("zod"), [...packages].join());
});

for (
  const [command, module] of [["probe", "src/cli/probe.ts"], ["--version", undefined], [
    "--help",
    undefined,
  ]] as const
) {
  test(`${command} loads no parser, validator, check kind, other subcommand, Node built-in or lazy platform part`, () => {
    const { files, packages } = loads(...BASE, ...(module ? [module] : []));
    assert.deepEqual([...packages].sort(), []);
    assert.deepEqual(matching(files, CONFIG_LOADER), []);
    assert.deepEqual(matching(files, CHECK_KIND), []);
    assert.deepEqual(matching(files, SERVER), []);
    assert.deepEqual(matching(files, LAZY_PLATFORM), []);
    assert.deepEqual(matching(files, SUBCOMMAND), module ? [module] : []);
  });
}

test("hash-token loads no parser, validator, check kind, server or lazy platform part", () => {
  const { files, packages } = loads(...BASE, "src/cli/hash_token.ts");
  assert.deepEqual([...packages].sort(), ["@noble/hashes/sha2.js"]);
  assert.deepEqual(matching(files, CONFIG_LOADER), []);
  assert.deepEqual(matching(files, CHECK_KIND), []);
  assert.deepEqual(matching(files, SERVER), []);
  assert.deepEqual(matching(files, LAZY_PLATFORM), []);
  assert.deepEqual(matching(files, SUBCOMMAND), ["src/cli/hash_token.ts"]);
});

for (const command of ["check", "validate"]) {
  test(`${command} loads no server, on either runtime's platform`, () => {
    for (const platform of ["src/platform/bun.ts", "src/platform/deno.ts"]) {
      const { files, packages } = loads(
        ...BASE,
        `src/cli/${command}.ts`,
        platform,
        "src/platform/_node/node_part.ts",
      );
      assert.deepEqual(matching(files, SERVER), [], platform);
      assert.ok(![...packages].some((name) => name.startsWith("node:")), [...packages].join());
    }
  });
}

test("no module of vitals imports a node: built-in statically (Bun hoists those into every command)", () => {
  const offenders = reachable("main.ts").filter((file) =>
    !file.startsWith("node_modules/") &&
    importsOf(join(ROOT, file)).values.some((specifier) => specifier.startsWith("node:"))
  );
  assert.deepEqual(offenders, []);
});
