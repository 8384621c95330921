// What ARCHITECTURE.md says about the shape of src/, checked against the
// source itself: the folders it names exist and every folder is named; the
// imports (type imports and `import()` included) form no circle and go only
// down the layer order; `node:` imports and the Deno and Bun globals stay
// under src/platform/; files stay short; and every BENCHMARKS.md target an
// optimization cites in a comment is a heading of BENCHMARKS.md.

import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { posix } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

const read = (path: string): string => readFileSync(posix.join(ROOT, path), "utf8");

/** Every folder under `dir` (repository-relative, ending in `/`), `dir` not included. */
function foldersUnder(dir: string): string[] {
  return readdirSync(posix.join(ROOT, dir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      const path = `${dir}${entry.name}/`;
      return [path, ...foldersUnder(path)];
    });
}

/** Every `.ts` file under `dir`, repository-relative. */
function filesUnder(dir: string): string[] {
  return readdirSync(posix.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}${entry.name}`;
    if (entry.isDirectory()) return filesUnder(`${path}/`);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

const SOURCES = ["main.ts", ...filesUnder("src/")].sort();

/** A source file split by the lexer: code without comments, and the comments. */
interface Lexed {
  /** The text with every comment blanked (newlines kept); strings untouched. */
  readonly code: string;
  /** The code with the contents of strings, templates and regex literals blanked too. */
  readonly bare: string;
  readonly comments: string[];
}

/** Keywords after which a `/` starts a regular expression, not a division. */
const BEFORE_REGEX = new Set([
  "return",
  "typeof",
  "instanceof",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "case",
  "do",
  "else",
  "yield",
  "await",
]);

/**
 * Splits TypeScript into code and comments: strings, template literals (with
 * their `${}` parts read as code) and regular expression literals are read
 * whole, so a `//` or a quote inside one is not taken for anything else.
 */
function lex(source: string): Lexed {
  const code: string[] = [];
  const bare: string[] = [];
  const comments: string[] = [];
  const blank = (text: string) => text.replace(/[^\n]/g, " ");
  const emit = (text: string, blanked = text) => {
    code.push(text);
    bare.push(blanked);
  };
  /** Open `${` expressions: the brace depth inside each. */
  const templates: number[] = [];
  let previous = ""; // the last significant character of code
  let word = ""; // the last identifier of code, while it is the last token
  let i = 0;

  /** Reads template text from `i` to its end or to a `${`; returns whether it ended. */
  const templateText = (): void => {
    const start = i;
    while (i < source.length) {
      const c = source[i]!;
      if (c === "\\") {
        i += 2;
      } else if (c === "`") {
        i++;
        emit(source.slice(start, i), `${blank(source.slice(start, i - 1))}\``);
        previous = "`";
        word = "";
        return;
      } else if (c === "$" && source[i + 1] === "{") {
        i += 2;
        emit(source.slice(start, i), `${blank(source.slice(start, i - 2))}\${`);
        templates.push(0);
        previous = "{";
        word = "";
        return;
      } else {
        i++;
      }
    }
    emit(source.slice(start), blank(source.slice(start)));
  };

  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end === -1 ? source.length : end + 2;
      comments.push(source.slice(i, stop));
      emit(blank(source.slice(i, stop)));
      i = stop;
    } else if (c === "/" && next === "/") {
      const end = source.indexOf("\n", i);
      const stop = end === -1 ? source.length : end;
      comments.push(source.slice(i, stop));
      emit(blank(source.slice(i, stop)));
      i = stop;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < source.length && source[j] !== c && source[j] !== "\n") {
        j += source[j] === "\\" ? 2 : 1;
      }
      emit(source.slice(i, j + 1), `${c}${blank(source.slice(i + 1, j))}${c}`);
      i = j + 1;
      previous = c;
      word = "";
    } else if (c === "`") {
      emit("`");
      i++;
      templateText();
    } else if (
      c === "/" && (previous === "" || "(,=:[!&|?{};+-*%<>~^".includes(previous) ||
        BEFORE_REGEX.has(word))
    ) {
      let j = i + 1;
      let inClass = false;
      while (j < source.length && source[j] !== "\n") {
        const d = source[j]!;
        if (d === "\\") {
          j += 2;
          continue;
        }
        if (d === "[") inClass = true;
        else if (d === "]") inClass = false;
        else if (d === "/" && !inClass) break;
        j++;
      }
      emit(source.slice(i, j + 1), `/${blank(source.slice(i + 1, j))}/`);
      i = j + 1;
      previous = "/";
      word = "";
    } else if (c === "}" && templates.length > 0 && templates.at(-1) === 0) {
      templates.pop();
      emit("}");
      i++;
      templateText();
    } else {
      if (templates.length > 0 && c === "{") templates[templates.length - 1]!++;
      if (templates.length > 0 && c === "}") templates[templates.length - 1]!--;
      emit(c);
      i++;
      if (/[A-Za-z0-9_$]/.test(c)) {
        word = /[A-Za-z0-9_$]/.test(previous) ? word + c : c;
        previous = c;
      } else if (!/\s/.test(c)) {
        previous = c;
        word = "";
      }
    }
  }
  return { code: code.join(""), bare: bare.join(""), comments };
}

const LEXED = new Map(SOURCES.map((file) => [file, lex(read(file))]));

const STATIC_IMPORT = /\bimport\s+(?:type\s+)?[\w$*{}\s,]+?\s+from\s*["']([^"'\n]+)["']/g;
const BARE_IMPORT = /\bimport\s*["']([^"'\n]+)["']/g;
const RE_EXPORT =
  /\bexport\s+(?:type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[^}]*\})\s*from\s*["']([^"'\n]+)["']/g;
const DYNAMIC_IMPORT = /\bimport\s*\(\s*["']([^"'\n]+)["']\s*\)/g;

/** What `file` imports, in any form (type imports and `import()` included), outside comments. */
function specifiersOf(file: string): string[] {
  const { code } = LEXED.get(file)!;
  return [STATIC_IMPORT, BARE_IMPORT, RE_EXPORT, DYNAMIC_IMPORT]
    .flatMap((pattern) => [...code.matchAll(pattern)].map((match) => match[1]!));
}

/** Each source file and the source files it imports. */
const GRAPH = new Map(SOURCES.map((file) => [
  file,
  [
    ...new Set(
      specifiersOf(file)
        .filter((specifier) => specifier.startsWith("."))
        .map((specifier) => posix.normalize(posix.join(posix.dirname(file), specifier))),
    ),
  ].sort(),
]));

/**
 * The layer order, lowest first, as ARCHITECTURE.md states it: a file may
 * import from its own layer and from any layer of a lower rank, never from a
 * higher one, and layers of the same rank (the two servers) not from each
 * other. A root file of src/ is in `core`; a folder is in the layer listing
 * it (the longest match wins).
 */
const LAYERS: readonly { name: string; rank: number; paths: readonly string[] }[] = [
  { name: "platform", rank: 0, paths: ["src/platform/"] },
  { name: "core", rank: 1, paths: ["src/*.ts"] },
  { name: "config", rank: 2, paths: ["src/config/"] },
  { name: "checks", rank: 3, paths: ["src/checks/", "src/grpc/wire/", "src/grpc/client/"] },
  { name: "engine", rank: 4, paths: ["src/engine/"] },
  { name: "http", rank: 5, paths: ["src/http/"] },
  { name: "grpc server", rank: 5, paths: ["src/grpc/server/"] },
  { name: "app", rank: 6, paths: ["src/app/"] },
  { name: "cli", rank: 7, paths: ["src/cli/"] },
  { name: "main", rank: 8, paths: ["main.ts"] },
];

function layerOf(file: string): (typeof LAYERS)[number] | undefined {
  let best: (typeof LAYERS)[number] | undefined;
  let length = -1;
  for (const layer of LAYERS) {
    for (const path of layer.paths) {
      const matches = path === "src/*.ts"
        ? /^src\/[^/]+\.ts$/.test(file)
        : path.endsWith("/")
        ? file.startsWith(path)
        : file === path;
      if (matches && path.length > length) [best, length] = [layer, path.length];
    }
  }
  return best;
}

test("every folder ARCHITECTURE.md names exists, and it names every folder under src/", () => {
  const text = read("ARCHITECTURE.md");
  const named = [...new Set([...text.matchAll(/`((?:[\w.-]+\/)+)`/g)].map((match) => match[1]!))];
  assert.ok(named.includes("src/engine/"), "ARCHITECTURE.md names folders as `src/engine/`");
  const exists = (path: string) => {
    try {
      return statSync(posix.join(ROOT, path)).isDirectory();
    } catch {
      return false;
    }
  };
  assert.deepEqual(
    named.filter((path) => !exists(path)),
    [],
    "folders ARCHITECTURE.md names that do not exist",
  );
  assert.deepEqual(
    foldersUnder("src/").filter((path) => !named.includes(path)),
    [],
    "folders under src/ that ARCHITECTURE.md does not name",
  );
});

test("src files import each other without a circle, type imports included", () => {
  assert.ok(GRAPH.get("src/cli/run.ts")!.includes("src/cli/serve.ts"), "import() is read");
  assert.ok(GRAPH.get("src/engine/health.ts")!.includes("src/checks/check.ts"), "types are read");
  // package.json is a JSON module, not source: src/version.ts reads the version from it.
  const unknown = [...GRAPH].flatMap(([file, imports]) =>
    imports.filter((target) => !GRAPH.has(target) && target !== "package.json")
      .map((target) => `${file} -> ${target}`)
  );
  assert.deepEqual(unknown, [], "imports of files that do not exist");
  // Depth-first search; a file met again while still on the path closes a circle.
  const circles: string[] = [];
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (file: string) => {
    state.set(file, "open");
    path.push(file);
    for (const target of GRAPH.get(file) ?? []) {
      if (state.get(target) === "open") {
        circles.push([...path.slice(path.indexOf(target)), target].join(" -> "));
      } else if (!state.has(target)) {
        visit(target);
      }
    }
    path.pop();
    state.set(file, "done");
  };
  for (const file of SOURCES) if (!state.has(file)) visit(file);
  assert.deepEqual(circles, [], "import circles");
});

test("imports go only down the layer order, never up or sideways", () => {
  const outside = SOURCES.filter((file) => !layerOf(file));
  assert.deepEqual(
    outside,
    [],
    "files in no layer: add their folder to LAYERS and ARCHITECTURE.md",
  );
  const wrong = [...GRAPH].flatMap(([file, imports]) => {
    const from = layerOf(file)!;
    return imports.flatMap((target) => {
      const to = layerOf(target);
      if (!to || to === from || to.rank < from.rank) return [];
      return [`${file} (${from.name}) -> ${target} (${to.name})`];
    });
  });
  assert.deepEqual(wrong, [], "imports from a lower layer to a higher one, or between siblings");
});

test("a _ file is imported only from its own folder, a _ folder only from the one holding it", () => {
  const reaching = [...GRAPH].flatMap(([file, imports]) =>
    imports.filter((target) => {
      const parts = target.split("/");
      return parts.some((part, i) => {
        if (!part.startsWith("_")) return false;
        const home = `${parts.slice(0, i).join("/")}/`;
        return !file.startsWith(home) ||
          (i === parts.length - 1 && posix.dirname(file) !== posix.dirname(target));
      });
    }).map((target) => `${file} -> ${target}`)
  );
  assert.deepEqual(reaching, [], "imports of another folder's _ file or folder");
});

test("node: imports and the Deno and Bun globals appear only under src/platform/", () => {
  const outside = SOURCES.filter((file) => !file.startsWith("src/platform/"));
  const nodeImports = outside.flatMap((file) =>
    specifiersOf(file).filter((specifier) => specifier.startsWith("node:")).map((specifier) =>
      `${file}: ${specifier}`
    )
  );
  assert.ok(
    specifiersOf("src/platform/_node/http2.ts").includes("node:http2"),
    "the search finds a node: import where there is one",
  );
  assert.deepEqual(nodeImports, [], "node: imports outside src/platform/");
  const GLOBAL =
    /\b(?:Deno|Bun)\s*[.[]|\bglobalThis\s*(?:\.|\[\s*["'`])\s*(?:Deno|Bun)\b|["'`](?:Deno|Bun)["'`]\s+in\s+globalThis/;
  const globals = outside.filter((file) => GLOBAL.test(LEXED.get(file)!.bare));
  assert.ok(GLOBAL.test(LEXED.get("src/platform/deno.ts")!.bare), "the search finds Deno.");
  assert.deepEqual(globals, [], "files outside src/platform/ that use the Deno or Bun global");
});

test("no Symbol.for anywhere in src/", () => {
  const users = SOURCES.filter((file) => /\bSymbol\s*\.\s*for\b/.test(LEXED.get(file)!.code));
  assert.deepEqual(users, [], "files calling Symbol.for");
});

test("no file in src/ is over 260 lines, and src/platform/ holds at most 6 files of its own", () => {
  const long = SOURCES.filter((file) => file.startsWith("src/"))
    .map((file) => ({ file, lines: read(file).split("\n").length - 1 }))
    .filter(({ lines }) => lines > 260)
    .map(({ file, lines }) => `${file}: ${lines} lines`);
  assert.deepEqual(long, [], "files over 260 lines");
  const top = readdirSync(posix.join(ROOT, "src/platform"), { withFileTypes: true })
    .filter((entry) => entry.isFile()).map((entry) => entry.name).sort();
  assert.ok(top.length <= 6, `src/platform/ holds ${top.length} files: ${top.join(", ")}`);
});

/** A comment as prose: line prefixes (`//`, ` * `) dropped, whitespace collapsed. */
function prose(comment: string): string {
  return comment
    .replace(/^\/\*\*?|\*\/$/g, "")
    .split("\n")
    .map((line) => line.replace(/^\s*(?:\/\/|\*(?!\/))?\s?/, ""))
    .join(" ")
    .replace(/\s+/g, " ");
}

/** The headings of BENCHMARKS.md, outside code blocks, without `#`s or a leading number. */
function benchmarkHeadings(): string[] {
  let fenced = false;
  const headings: string[] = [];
  for (const line of read("BENCHMARKS.md").split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (heading) headings.push(heading[1]!.replace(/^\d+(?:\.\d+)*\.?\s+/, ""));
  }
  return headings;
}

/**
 * Whether `cited` names `heading`: the whole heading, or its start followed
 * by what a target heading puts after its name (`: met`, ` ≤ 1.3×`, `, exactly`).
 */
function names(cited: string, heading: string): boolean {
  return heading === cited ||
    (heading.startsWith(cited) && /^(?:[:,]|\s+[≤≥<>(—–-])/.test(heading.slice(cited.length)));
}

test("every BENCHMARKS.md target cited in a src comment is a heading of BENCHMARKS.md", () => {
  const citations = SOURCES.flatMap((file) =>
    LEXED.get(file)!.comments.map(prose).flatMap((text) =>
      [...text.matchAll(/BENCHMARKS\.md(?:[,:]\s*"([^"]+)")?/g)].map((match) => ({
        file,
        cited: match[1],
      }))
    )
  );
  assert.ok(citations.length >= 10, `src cites BENCHMARKS.md (found ${citations.length})`);
  assert.deepEqual(
    citations.filter(({ cited }) => cited === undefined).map(({ file }) => file),
    [],
    'mentions of BENCHMARKS.md without a target (write BENCHMARKS.md, "<heading>")',
  );
  const headings = benchmarkHeadings();
  const missing = citations
    .filter(({ cited }) => cited !== undefined && !headings.some((h) => names(cited, h)))
    .map(({ file, cited }) => `${file}: "${cited}"`);
  assert.deepEqual(
    [...new Set(missing)],
    [],
    "cited targets with no such heading in BENCHMARKS.md",
  );
});
