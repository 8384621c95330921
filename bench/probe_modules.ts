/**
 * Which modules `vitals probe` and the other short commands (`--version`,
 * `--help`, `check`, `validate`) evaluate, checked at run time in two ways,
 * for the probe section of the benchmark (`bench/probe.ts`):
 *
 * - **The compiled binary's bundle.** `bun build --compile` embeds one bundle
 *   in which every module reached only through `import()` is wrapped in a lazy
 *   initialiser (`var init_x = __esm(...)`, `var require_x = __commonJS(...)`).
 *   {@link traceBundle} rewrites each initialiser of the same bundle (built
 *   without `--compile`, so it can be edited) to print its module's path when
 *   it first runs. Modules Bun gave no initialiser (it hoists modules whose top
 *   level only declares things) run at start-up in every command; they are
 *   listed apart, and so are the bundle's static imports of built-ins (`node:`
 *   modules), which load at start-up too. A `validate` run of the traced
 *   bundle is the control: it must run yaml's and zod's initialisers, or the
 *   trace proves nothing. The compiled binary is built with `--splitting`, so
 *   it does not even read the chunks a command does not import; the trace
 *   shows what each command evaluates.
 * - **Deno from source.** An import map sends `yaml` and `zod` to a module that
 *   throws. `deno run main.ts probe` must still exit 0, and `main.ts validate`
 *   (the control) must fail.
 *
 * @module
 */

import type { Procs } from "./proc.ts";

/** What the traced bundle showed. */
export interface BundleTrace {
  /** Modules in the bundle. */
  readonly modules: number;
  /** Bytes of the (unminified) bundle, and how many of them each origin holds. */
  readonly bytes: number;
  readonly bytesByOrigin: Readonly<Record<string, number>>;
  /** Modules with an initialiser. */
  readonly lazyModules: number;
  /** Lazy modules whose initialiser the probe run ran: vitals' files, then `package (N modules)`. */
  readonly initialised: readonly string[];
  /** Modules without an initialiser, which every command runs at start-up. */
  readonly hoisted: readonly string[];
  /** Bytes of the modules the probe run evaluated (initialised and hoisted). */
  readonly evaluatedBytes: number;
  /** Whether the probe run ran an initialiser of yaml or zod. */
  readonly yamlOrZod: boolean;
  /** Hoisted modules of yaml or zod (declarations that every command runs). */
  readonly hoistedYamlOrZod: readonly string[];
  /** Whether the control (`validate`) ran yaml's and zod's initialisers, as it must. */
  readonly controlSawYamlAndZod: boolean;
  /** Built-in modules the bundle imports statically: every command loads them at start-up. */
  readonly builtins?: readonly string[];
  /** What each traced command evaluated. */
  readonly commands?: readonly CommandTrace[];
}

/** What one command of the traced bundle evaluated. */
export interface CommandTrace {
  /** The command line, with the URL and the config files shortened. */
  readonly command: string;
  /** vitals' own modules whose initialisers ran. */
  readonly own: readonly string[];
  /** Packages with initialisers that ran, `name (N modules)`. */
  readonly packages: readonly string[];
  /** The YAML parser or the config schema (yaml, zod, `src/config/{load,schema}.ts`). */
  readonly configLoader: boolean;
  /** Any check kind (`src/checks/`). */
  readonly checkKinds: boolean;
  /** The server: `serve.ts`, the HTTP/1.1 server (Deno's), the gRPC server. */
  readonly server: boolean;
  /** The HTTP request handler (`src/http/handler.ts`), which `createApp` builds. */
  readonly handler: boolean;
}

/** What Deno with yaml and zod mapped to a throwing module did. */
export interface DenoTrap {
  readonly probeCode: number;
  readonly controlCode: number;
  /** Whether the probe run touched yaml or zod (it failed while the trap was in place). */
  readonly yamlOrZod: boolean;
}

/** Both checks; a check that could not run holds its error instead. */
export interface ProbeModules {
  readonly bundle: BundleTrace | { readonly error: string };
  readonly deno: DenoTrap | { readonly error: string };
}

interface Section {
  readonly path: string;
  readonly bytes: number;
  /** Whether the module has a lazy initialiser (else it runs at start-up). */
  lazy: boolean;
}

const TRACE_PREFIX = "vitals-trace ";

const SECTION_LINE = /^\/\/ (\S+\.(?:[cm]?[jt]sx?|json))$/;
const WRAPPED = /^var ((?:init|require)_\w+) = (__esm|__commonJS)\(/;
const EMPTY_INIT = /^var (init_\w+) = \(\) => \{\};$/;

const HELPERS = [
  "var __vitalsSeen = new Set();",
  "var __vitalsMark = (p) => {",
  "  if (!__vitalsSeen.has(p)) { __vitalsSeen.add(p); console.error(" +
  JSON.stringify(TRACE_PREFIX) + " + p); }",
  "};",
  "var __vitalsEsm = (p, fn) => __esm(() => (__vitalsMark(p), fn()));",
  "var __vitalsCjs = (p, cb) => __commonJS((exports, module) => (__vitalsMark(p), cb(exports, module)));",
];

/** The package a bundled path belongs to (`yaml`, `zod`, `@scope/x`), or `vitals`. */
export function origin(path: string): string {
  return path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//)?.[1] ?? "vitals";
}

/** A bundle's path comment as a path in the project (packages from `node_modules/` on). */
function bundledPath(comment: string): string {
  const packages = comment.indexOf("node_modules/");
  return packages >= 0 ? comment.slice(packages) : comment.replace(/^(\.\.\/)+/, "");
}

/**
 * Rewrites a Bun bundle so that each lazily initialised module prints its path
 * the first time it runs; returns the new text and the bundle's modules.
 *
 * @example
 * ```ts
 * const { text, sections } = traceBundle(
 *   "// @bun\n// src/a.ts\nvar init_a = __esm(() => {});\n// src/b.ts\nconst b = 1;\n",
 * );
 * // sections: src/a.ts (lazy), src/b.ts (runs at start-up); text marks init_a
 * ```
 */
export function traceBundle(bundle: string): { text: string; sections: Section[] } {
  const lines = bundle.split("\n");
  const sections: Section[] = [];
  let current: Section | undefined;
  let bytes = 0;
  const close = () => {
    if (current) sections.push({ ...current, bytes });
  };
  const out = lines.map((line, index) => {
    const section = line.match(SECTION_LINE);
    if (section) {
      close();
      current = { path: bundledPath(section[1]!), bytes: 0, lazy: false };
      bytes = 0;
      return line;
    }
    bytes += line.length + 1;
    if (!current) return index === 0 ? [line, ...HELPERS].join("\n") : line;
    const path = JSON.stringify(current.path);
    const wrapped = line.match(WRAPPED);
    if (wrapped) {
      current.lazy = true;
      const helper = wrapped[2] === "__esm" ? "__vitalsEsm" : "__vitalsCjs";
      return line.replace(WRAPPED, `var ${wrapped[1]} = ${helper}(${path}, `);
    }
    const empty = line.match(EMPTY_INIT);
    if (empty) {
      current.lazy = true;
      return `var ${empty[1]} = () => __vitalsMark(${path});`;
    }
    return line;
  });
  close();
  return { text: out.join("\n"), sections: merge(sections) };
}

/** One entry per path (a module can have more than one section, main.ts has two). */
function merge(sections: readonly Section[]): Section[] {
  const byPath = new Map<string, Section>();
  for (const section of sections) {
    const seen = byPath.get(section.path);
    byPath.set(
      section.path,
      seen
        ? { path: seen.path, bytes: seen.bytes + section.bytes, lazy: seen.lazy || section.lazy }
        : section,
    );
  }
  return [...byPath.values()];
}

/** Paths of the initialisers a traced run ran. */
function initialisedPaths(stderr: string): Set<string> {
  const paths = new Set<string>();
  for (const line of stderr.split("\n")) {
    if (line.startsWith(TRACE_PREFIX)) paths.add(line.slice(TRACE_PREFIX.length));
  }
  return paths;
}

const touches = (paths: Iterable<string>, name: string) =>
  [...paths].some((path) => origin(path) === name);

/**
 * Builds the bundle `bun build --compile` would embed (without minifying, so
 * the initialisers keep their names), traces it, and runs `probe` and the
 * `validate` control on it.
 */
export async function checkBundle(
  procs: Procs,
  bun: string,
  dir: string,
  url: string,
  config: string,
  checkConfig: string = config,
): Promise<BundleTrace> {
  const bundleFile = `${dir}/main.js`;
  const built = await procs.run("bundle main.ts", [
    bun,
    "build",
    "main.ts",
    "--target",
    "bun",
    "--outfile",
    bundleFile,
  ], "none");
  if (built.code !== 0) throw new Error(`bun build main.ts failed:\n${built.stderr}`);
  const bundle = await Deno.readTextFile(bundleFile);
  const { text, sections } = traceBundle(bundle);
  if (!sections.some((s) => s.lazy)) {
    throw new Error("no lazy initialisers found in the bundle: has Bun's output format changed?");
  }
  const traced = `${dir}/traced.js`;
  await Deno.writeTextFile(traced, text);
  const run = async (name: string, args: string[]) => {
    const finished = await procs.run(name, [bun, traced, ...args], "none");
    if (finished.code !== 0) {
      throw new Error(
        `traced bundle ${args.join(" ")} exited ${finished.code}:\n${finished.stderr}`,
      );
    }
    return initialisedPaths(finished.stderr);
  };
  const probe = await run("traced probe", ["probe", "--url", url]);
  const control = await run("traced validate", ["validate", "--config", config]);
  const commands: CommandTrace[] = [];
  for (
    const [shown, args] of [
      ["--version", ["--version"]],
      ["--help", ["--help"]],
      ["probe --url URL", ["probe", "--url", url]],
      ["check --config one-tcp-check.json", ["check", "--config", checkConfig]],
      ["validate --config probe.json", ["validate", "--config", config]],
    ] as const
  ) {
    commands.push(commandTrace(shown, await run(`traced ${shown}`, [...args])));
  }
  const bytesByOrigin: Record<string, number> = {};
  for (const section of sections) {
    const name = origin(section.path);
    bytesByOrigin[name] = (bytesByOrigin[name] ?? 0) + section.bytes;
  }
  const own = [...probe].filter((path) => origin(path) === "vitals").sort();
  const packages = new Map<string, number>();
  for (const path of probe) {
    const name = origin(path);
    if (name !== "vitals") packages.set(name, (packages.get(name) ?? 0) + 1);
  }
  const hoisted = sections.filter((s) => !s.lazy);
  const yamlOrZod = (path: string) => origin(path) === "yaml" || origin(path) === "zod";
  return {
    modules: sections.length,
    bytes: bundle.length,
    bytesByOrigin,
    lazyModules: sections.length - hoisted.length,
    initialised: [
      ...own,
      ...[...packages].map(([name, count]) => `${name} (${count} modules)`),
    ],
    hoisted: hoisted.map((s) => s.path),
    evaluatedBytes: sections.filter((s) => !s.lazy || probe.has(s.path))
      .reduce((sum, s) => sum + s.bytes, 0),
    yamlOrZod: [...probe].some(yamlOrZod),
    hoistedYamlOrZod: hoisted.map((s) => s.path).filter(yamlOrZod),
    controlSawYamlAndZod: touches(control, "yaml") && touches(control, "zod"),
    builtins: staticBuiltins(bundle),
    commands,
  };
}

/** The specifiers of a bundle's static imports that are not files of its own (built-ins). */
export function staticBuiltins(bundle: string): string[] {
  const found = new Set<string>();
  for (const match of bundle.matchAll(/^import\b[^;]*?\bfrom\s*"([^".][^"]*)";?$/gms)) {
    found.add(match[1]!);
  }
  for (const match of bundle.matchAll(/^import\s*"([^".][^"]*)";?$/gm)) found.add(match[1]!);
  return [...found].sort();
}

/** Sorts a traced run's initialisers into what {@link CommandTrace} reports. */
function commandTrace(command: string, paths: ReadonlySet<string>): CommandTrace {
  const own = [...paths].filter((path) => origin(path) === "vitals").sort();
  const packages = new Map<string, number>();
  for (const path of paths) {
    const name = origin(path);
    if (name !== "vitals") packages.set(name, (packages.get(name) ?? 0) + 1);
  }
  const has = (pattern: RegExp) => own.some((path) => pattern.test(path));
  return {
    command,
    own,
    packages: [...packages].map(([name, count]) => `${name} (${count} modules)`),
    configLoader: packages.has("yaml") || packages.has("zod") ||
      has(/^src\/config\/(load|schema)\.ts$/),
    checkKinds: has(/^src\/checks\//),
    server: has(/^src\/(cli\/serve|platform\/_http1\/(http1|bun)_server|grpc\/health_server)\.ts$/),
    handler: has(/^src\/http\/handler\.ts$/),
  };
}

/** Runs `main.ts probe` and the `validate` control on Deno with yaml and zod mapped to a trap. */
export async function checkDeno(
  procs: Procs,
  deno: string,
  dir: string,
  url: string,
  config: string,
): Promise<DenoTrap> {
  await Deno.writeTextFile(
    `${dir}/trap.js`,
    'throw new Error("vitals bench: yaml or zod was loaded");\n',
  );
  const map = `${dir}/import_map.json`;
  await Deno.writeTextFile(
    map,
    JSON.stringify({ imports: { yaml: "./trap.js", zod: "./trap.js" } }),
  );
  const run = (args: string[]) =>
    procs.run("deno trap", [
      deno,
      "run",
      "-A",
      "--no-lock",
      "--import-map",
      map,
      "main.ts",
      ...args,
    ], "none");
  const probe = await run(["probe", "--url", url]);
  const control = await run(["validate", "--config", config]);
  if (control.code === 0) {
    throw new Error("the trap did not fire for validate: the import map is not in effect");
  }
  return { probeCode: probe.code, controlCode: control.code, yamlOrZod: probe.code !== 0 };
}

/** Both checks, each failing on its own. */
export async function checkProbeModules(
  procs: Procs,
  programs: { readonly bun: string; readonly deno: string },
  dir: string,
  url: string,
  config: string,
  checkConfig: string = config,
): Promise<ProbeModules> {
  await Deno.mkdir(dir, { recursive: true });
  const attempt = async <T>(body: () => Promise<T>): Promise<T | { error: string }> => {
    try {
      return await body();
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  };
  return {
    bundle: await attempt(() => checkBundle(procs, programs.bun, dir, url, config, checkConfig)),
    deno: await attempt(() => checkDeno(procs, programs.deno, dir, url, config)),
  };
}
