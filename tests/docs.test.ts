// The documentation cannot drift from the tree or from vitals itself: every
// relative link in README.md, ARCHITECTURE.md, CONTRIBUTING.md, BENCHMARKS.md
// and docs/ reaches a file that exists (and its #anchor a heading, by GitHub's
// slug rules); every test file the docs name exists; every key of the config's
// JSON Schema (as `vitals schema` prints it) is in docs/configuration.md;
// every command and option of `--help` is in docs/cli.md; and the image facts
// in docs/deploy/docker.md are the Dockerfile's.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import process from "node:process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

/** The repository's root: the nearest folder above this file that holds deno.json. */
const ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "deno.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("Cannot find the repository root: no deno.json above the test");
    dir = up;
  }
  return dir;
})();

/** Every file under `dir` (relative to the root) whose name passes `keep`, as root-relative paths. */
function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : filesUnder(path, keep);
    return keep(entry.name) ? [path] : [];
  });
}

/** The Markdown files this test holds to their links. */
function markdownFiles(): string[] {
  const root = ["README.md", "ARCHITECTURE.md", "CONTRIBUTING.md", "BENCHMARKS.md"];
  return [...root, ...filesUnder("docs", (name) => name.endsWith(".md"))];
}

function read(path: string): string {
  return readFileSync(join(ROOT, path), "utf8");
}

/** `text` without fenced code blocks, each line kept (blank) so line numbers stay. */
function withoutFences(text: string): string {
  return text.replace(
    /^( *)(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1\2 *$/gm,
    (block) => block.replace(/[^\n]/g, ""),
  );
}

/** `text` without code spans, for reading links outside them. */
function withoutCodeSpans(text: string): string {
  return text.replace(/(`+)[^`]*?\1/g, "");
}

/**
 * GitHub's anchor for a heading's text: markup dropped, lower case, every
 * character but letters, marks, digits, `_`, `-` and spaces removed, each
 * space a hyphen.
 */
function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]+>/g, "")
    .replace(/[`*]/g, "")
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(/ /g, "-");
}

/** The anchors a Markdown file offers: its headings' slugs (repeats numbered) and `<a id>`s. */
function anchors(path: string): Set<string> {
  const text = withoutFences(read(path));
  const seen = new Map<string, number>();
  const found = new Set<string>();
  for (const [, heading = ""] of text.matchAll(/^#{1,6} +(.+?) *#* *$/gm)) {
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    found.add(count === 0 ? base : `${base}-${count}`);
  }
  for (const [, id = ""] of text.matchAll(/<a (?:id|name)="([^"]+)"/g)) found.add(id);
  return found;
}

interface Link {
  readonly file: string;
  readonly line: number;
  readonly target: string;
}

/** The inline links and images of a Markdown file, outside code. */
function links(path: string): Link[] {
  const lines = withoutFences(read(path)).split("\n");
  return lines.flatMap((text, index) =>
    [...withoutCodeSpans(text).matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?: "[^"]*")?\)/g)].map((
      match,
    ) => ({
      file: path,
      line: index + 1,
      target: match[1] ?? "",
    }))
  );
}

/** Why a relative link does not resolve, or `undefined` when it does. */
function brokenBecause(link: Link): string | undefined {
  const [pathPart = "", anchor] = link.target.split("#", 2);
  const target = pathPart === "" ? link.file : normalize(join(dirname(link.file), pathPart));
  if (target.startsWith("..")) return `${target} is outside the repository`;
  if (!existsSync(join(ROOT, target))) return `${target} does not exist`;
  if (anchor === undefined || anchor === "") return undefined;
  if (!target.endsWith(".md") || statSync(join(ROOT, target)).isDirectory()) {
    return `#${anchor} points into ${target}, which is not a Markdown file`;
  }
  return anchors(target).has(decodeURIComponent(anchor))
    ? undefined
    : `${target} has no heading whose anchor is #${anchor}`;
}

test("GitHub's anchors: markup dropped, punctuation removed, spaces as hyphens", () => {
  assert.equal(slug("`vitals probe` start to exit"), "vitals-probe-start-to-exit");
  assert.equal(slug("Scale: 100, 1,000 and 5,000 checks"), "scale-100-1000-and-5000-checks");
  assert.equal(slug("`command`: a program's exit code"), "command-a-programs-exit-code");
  assert.equal(slug("Memory over hours (soak)"), "memory-over-hours-soak");
  assert.equal(slug("States: UP, WARN and DOWN"), "states-up-warn-and-down");
  assert.equal(slug("`--version`, `--help`"), "--version---help");
});

test("every relative link in the docs reaches a file that exists, and its #anchor a heading", () => {
  const all = markdownFiles().flatMap(links);
  const relative = all.filter((link) => !/^[a-z][a-z0-9+.-]*:/i.test(link.target));
  assert.ok(relative.length > 50, `found only ${relative.length} relative links`);
  const broken = relative.flatMap((link) => {
    const why = brokenBecause(link);
    return why === undefined ? [] : [`${link.file}:${link.line}: (${link.target}): ${why}`];
  });
  assert.deepEqual(broken, []);
});

test("a link to a missing file or a missing heading is reported as broken", () => {
  const at = { file: "docs/cli.md", line: 1 };
  assert.equal(brokenBecause({ ...at, target: "configuration.md#values" }), undefined);
  assert.equal(brokenBecause({ ...at, target: "#signals" }), undefined);
  assert.match(brokenBecause({ ...at, target: "nowhere.md" }) ?? "", /does not exist/);
  assert.match(brokenBecause({ ...at, target: "configuration.md#nowhere" }) ?? "", /no heading/);
  assert.match(brokenBecause({ ...at, target: "#nowhere" }) ?? "", /no heading/);
});

test("every test file the docs name exists under tests/", () => {
  const tests = filesUnder("tests", (name) => name.endsWith(".ts"));
  const named = markdownFiles().flatMap((file) =>
    [...read(file).matchAll(/`((?:[\w.-]+\/)*[\w.-]+\.test\.ts)`/g)].map((match) => ({
      file,
      name: match[1] ?? "",
    }))
  );
  assert.ok(named.length > 30, `found only ${named.length} test files named`);
  const missing = named.filter(({ name }) =>
    name.startsWith("tests/")
      ? !tests.includes(name)
      : !tests.some((path) => path.endsWith(`/${name}`))
  );
  assert.deepEqual(missing.map(({ file, name }) => `${file}: ${name}`), []);
});

// ---------------------------------------------------------------------------
// vitals itself

/** What `vitals ARGS` prints on standard output, run from source on the runtime under test. */
function vitals(...args: string[]): string {
  const command = "Bun" in globalThis
    ? [process.execPath, "main.ts", ...args]
    : [process.execPath, "run", "--allow-all", "main.ts", ...args];
  const [program = "", ...rest] = command;
  const ran = spawnSync(program, rest, { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  assert.equal(ran.status, 0, `vitals ${args.join(" ")} failed: ${ran.stderr}`);
  return ran.stdout;
}

type Schema = Record<string, unknown>;

/** The object schemas `schema` may be: itself, or any branch of its `anyOf`/`oneOf`. */
function objectShapes(schema: Schema): Schema[] {
  const branches = [
    ...(schema.anyOf as Schema[] | undefined ?? []),
    ...(schema.oneOf as Schema[] | undefined ?? []),
  ];
  return [schema, ...branches].filter((shape) => shape.properties !== undefined);
}

/** The item schemas of `schema` when it may be a list of objects. */
function itemShapes(schema: Schema): Schema[] {
  const branches = [schema, ...(schema.anyOf as Schema[] | undefined ?? [])];
  return branches.flatMap((shape) =>
    shape.items === undefined ? [] : objectShapes(shape.items as Schema)
  );
}

interface Key {
  /** `server.grpc.port`, `tls.ca`, `json[].path` */
  readonly path: string;
  /** The check kind it belongs to, if any. */
  readonly kind?: string;
}

/** Every key path below `schema`'s properties: objects as `a.b`, lists of objects as `a[].b`. */
function keyPaths(schema: Schema, prefix = ""): string[] {
  return objectShapes(schema).flatMap((shape) =>
    Object.entries(shape.properties as Record<string, Schema>).flatMap(([key, value]) => {
      const path = `${prefix}${key}`;
      return [
        path,
        ...keyPaths(value, `${path}.`),
        ...itemShapes(value).flatMap((item) => keyPaths(item, `${path}[].`)),
      ];
    })
  ).filter((path, index, all) => all.indexOf(path) === index);
}

/** The top-level keys and each check kind's keys of the published JSON Schema. */
function schemaKeys(): Key[] {
  const schema = JSON.parse(vitals("schema")) as Schema;
  const top = keyPaths({ properties: { ...(schema.properties as Schema), checks: {} } })
    .map((path) => ({ path }));
  const patterns = Object.keys(schema.patternProperties as Schema ?? {})
    .map((pattern) => ({ path: `${pattern.replace(/^\^/, "")}*` }));
  const defs = schema.$defs as Record<string, Schema>;
  const kinds = Object.entries(defs).filter(([name]) => name.endsWith("Check"));
  assert.ok(kinds.length >= 6, "the schema defines each check kind");
  const checks = kinds.flatMap(([name, def]) =>
    keyPaths(def).map((path) => ({ path, kind: name.replace(/Check$/, "") }))
  );
  return [...top, ...patterns, ...checks];
}

/** The Markdown sections of a page: each heading's text with the lines up to the next heading. */
function sections(text: string): { heading: string; level: number; body: string }[] {
  const parts = withoutFences(text).split(/^(?=#{1,6} )/m);
  return parts.map((part) => {
    const [, hashes = "", heading = ""] = /^(#{1,6}) +(.*)\n?/.exec(part) ?? [];
    return { heading, level: hashes.length, body: part };
  });
}

/** The text of a heading's section, its subsections included. */
function sectionText(text: string, matches: (heading: string) => boolean): string {
  const all = sections(text);
  const start = all.findIndex(({ heading }) => matches(heading));
  if (start === -1) return "";
  const level = all[start]!.level;
  const end = all.findIndex((section, index) => index > start && section.level <= level);
  return all.slice(start, end === -1 ? undefined : end).map(({ body }) => body).join("");
}

/** Whether `text` has a table row whose first cell is `` `key` ``. */
function hasRow(text: string, key: string): boolean {
  return text.split("\n").some((line) => line.startsWith(`| \`${key}\``));
}

/** Where docs/configuration.md documents a key, or why it does not. */
function undocumented(page: string, key: Key, common: ReadonlySet<string>): string | undefined {
  if (key.kind === undefined) {
    const section = sectionText(page, (heading) => heading === "Top-level keys");
    return hasRow(section, key.path) ? undefined : `no row for ${key.path} under "Top-level keys"`;
  }
  const steps = key.path.split(".");
  if (steps.length === 1 && common.has(key.path)) {
    const section = sectionText(page, (heading) => heading === "Keys of every check");
    return hasRow(section, key.path)
      ? undefined
      : `no row for ${key.path} under "Keys of every check"`;
  }
  if (steps.length === 1) {
    const section = sectionText(page, (heading) => heading.startsWith(`\`${key.kind}\``));
    return hasRow(section, key.path)
      ? undefined
      : `no row for ${key.path} under the ${key.kind} heading`;
  }
  const list = /^(\w+)\[\]\.(\w+)$/.exec(key.path);
  if (list) {
    const [, parent = "", child = ""] = list;
    const section = sectionText(page, (heading) => heading.toLowerCase().includes(parent));
    return hasRow(section, child)
      ? undefined
      : `no row for ${child} under a heading about ${parent} (${key.kind})`;
  }
  return hasRow(page, key.path) ? undefined : `no row for ${key.path} (${key.kind})`;
}

test("every top-level and per-check key of the JSON Schema has a row in docs/configuration.md", () => {
  const page = read("docs/configuration.md");
  const keys = schemaKeys();
  const kinds = [...new Set(keys.flatMap(({ kind }) => kind === undefined ? [] : [kind]))];
  const common = new Set(
    keys.filter(({ kind, path }) =>
      kind !== undefined &&
      kinds.every((other) => keys.some((key) => key.kind === other && key.path === path))
    ).map(({ path }) => path),
  );
  for (const expected of ["server.grpc.port", "cache.mode", "x-*", "checks"]) {
    assert.ok(keys.some(({ path }) => path === expected), `the schema has ${expected}`);
  }
  for (const expected of ["tls.ca", "certificate.warnBefore", "json[].lessThan", "nagios"]) {
    assert.ok(keys.some(({ path }) => path === expected), `the schema has ${expected}`);
  }
  // A top-level mapping (`server`) is documented through its keys (`server.host`).
  const parents = new Set(
    keys.flatMap(({ kind, path }) =>
      kind === undefined && path.includes(".") ? [path.slice(0, path.lastIndexOf("."))] : []
    ),
  );
  const missing = keys.filter(({ kind, path }) => kind !== undefined || !parents.has(path))
    .flatMap((key) => {
      const why = undocumented(page, key, common);
      return why === undefined ? [] : [why];
    });
  assert.deepEqual([...new Set(missing)], []);
});

test("a key missing from docs/configuration.md is reported", () => {
  const page = read("docs/configuration.md");
  const common = new Set(["name", "type", "timeout"]);
  assert.equal(undocumented(page, { path: "server.port" }, common), undefined);
  assert.equal(undocumented(page, { path: "timeout", kind: "tcp" }, common), undefined);
  assert.equal(undocumented(page, { path: "bodyMatches", kind: "http" }, common), undefined);
  assert.equal(undocumented(page, { path: "json[].equals", kind: "http" }, common), undefined);
  assert.match(undocumented(page, { path: "server.nowhere" }, common) ?? "", /server\.nowhere/);
  assert.match(undocumented(page, { path: "nowhere", kind: "tcp" }, common) ?? "", /tcp/);
  assert.match(undocumented(page, { path: "tls.nowhere", kind: "tcp" }, common) ?? "", /tls/);
});

test("every command and option that --help lists is in docs/cli.md", () => {
  const page = read("docs/cli.md");
  const commands = [...vitals("--help").matchAll(/^ {2}vitals \[?([\w-]+)\]?/gm)].map((m) => m[1]!);
  assert.deepEqual(commands, [
    "serve",
    "check",
    "validate",
    "probe",
    "maint",
    "hash-token",
    "schema",
  ]);
  const missing: string[] = [];
  for (const command of commands) {
    if (!page.includes(`\`${command}\``)) missing.push(`the command ${command}`);
    const options = [...vitals(command, "--help").matchAll(/(?:^|[ ,]) *(--[a-z][a-z-]*)/gm)]
      .map((m) => m[1]!);
    assert.ok(options.includes("--help"), `vitals ${command} --help lists its options`);
    for (const option of options) {
      if (!page.includes(`\`${option}`)) missing.push(`${command}'s option ${option}`);
    }
  }
  assert.deepEqual([...new Set(missing)], []);
});

test("docs/deploy/docker.md shows the Dockerfile's health check, user, port and config path", () => {
  const page = read("docs/deploy/docker.md");
  const dockerfile = read("Dockerfile");
  const healthcheck = /^HEALTHCHECK [^\n]*\\\n[^\n]*\n/m.exec(dockerfile)?.[0];
  assert.ok(healthcheck !== undefined, "the Dockerfile has a HEALTHCHECK");
  const blocks = [...page.matchAll(/^```dockerfile\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? "");
  assert.ok(
    blocks.includes(healthcheck),
    "the page shows the HEALTHCHECK as the Dockerfile has it",
  );
  const user = /^USER (\S+)$/m.exec(dockerfile)?.[1];
  const port = /^EXPOSE (\d+)$/m.exec(dockerfile)?.[1];
  const config = /^ENV (VITALS_CONFIG=\S+)$/m.exec(dockerfile)?.[1];
  assert.equal(user, "65532:65532");
  assert.ok(page.includes(`\`${user}\``), `the page states the user ${user}`);
  assert.ok(page.includes(`\`EXPOSE ${port}\``), `the page states EXPOSE ${port}`);
  assert.ok(config !== undefined && page.includes(`\`${config}\``), `the page states ${config}`);
});
