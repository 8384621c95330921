/**
 * `${VAR}` and `${VAR:-default}` expansion in every string of a parsed config.
 *
 * `${VAR}` is an error when VAR is unset; `${VAR:-default}` falls back when VAR
 * is unset or empty (as in POSIX shells); `$${` writes a literal `${`. Any
 * other `${` (`${X:-${Y}}`, `${X:?}`, `${ X }`) is an error too, rather than
 * text passed through as it is.
 *
 * @module
 */

/**
 * A variable that `${VAR}` named and the environment does not have, or (with
 * `unsupported`) a `${...}` that is not one of the supported forms.
 */
export interface MissingVariable {
  /** Path of the value that referenced it, such as `["checks", 2, "apiKey"]`. */
  readonly path: readonly (string | number)[];
  /** The variable's name; with `unsupported`, the reference as written. */
  readonly variable: string;
  readonly unsupported?: true;
}

/** `$${`, a supported reference, or any other `${` (up to its `}`, if any). */
const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-((?:[^}$]|\$(?!\{))*))?\}|\$\{[^}]*\}?/g;

/**
 * Expands references in one string, collecting the names of unset variables in
 * `missing` and references of no supported form in `unsupported` (left as written).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { expandString } from "./env_expand.ts";
 * assert.equal(expandString("${HOST:-localhost}:${PORT}", { PORT: "80" }, []), "localhost:80");
 * ```
 */
export function expandString(
  text: string,
  env: Readonly<Record<string, string>>,
  missing: string[],
  unsupported: string[] = [],
): string {
  return text.replace(REFERENCE, (whole, name: string | undefined, fallback?: string) => {
    if (whole === "$${") return "${";
    if (name === undefined) {
      unsupported.push(whole);
      return whole;
    }
    // Own keys only: "constructor" or "__proto__" must not find Object's properties.
    const value = Object.hasOwn(env, name ?? "") ? env[name ?? ""] : undefined;
    if (fallback !== undefined) return value === undefined || value === "" ? fallback : value;
    if (value === undefined) {
      missing.push(name ?? "");
      return "";
    }
    return value;
  });
}

/** Thrown for a value that contains itself (a YAML alias inside its own anchor). */
export class CyclicValueError extends Error {
  constructor(readonly path: (string | number)[]) {
    super("a value contains itself");
    this.name = "CyclicValueError";
  }
}

/**
 * Returns a copy of `value` with every string expanded; mapping keys are left as
 * they are. Unset variables are reported in `missing`, all of them.
 *
 * @throws {CyclicValueError} when a list or mapping contains itself
 */
export function expandEnv(
  value: unknown,
  env: Readonly<Record<string, string>>,
  missing: MissingVariable[],
  path: (string | number)[] = [],
  ancestors: Set<object> = new Set(),
): unknown {
  if (value !== null && typeof value === "object") {
    if (ancestors.has(value)) throw new CyclicValueError(path);
    ancestors.add(value);
    try {
      return expandContainer(value, env, missing, path, ancestors);
    } finally {
      ancestors.delete(value);
    }
  }
  if (typeof value === "string") {
    const names: string[] = [];
    const unsupported: string[] = [];
    const out = expandString(value, env, names, unsupported);
    for (const variable of new Set(names)) missing.push({ path: [...path], variable });
    for (const variable of new Set(unsupported)) {
      missing.push({ path: [...path], variable, unsupported: true });
    }
    return out;
  }
  return value;
}

function expandContainer(
  value: object,
  env: Readonly<Record<string, string>>,
  missing: MissingVariable[],
  path: (string | number)[],
  ancestors: Set<object>,
): unknown {
  if (Array.isArray(value)) {
    return value.map((item, index) => expandEnv(item, env, missing, [...path, index], ancestors));
  }
  // fromEntries makes "__proto__" an own key (reported as unknown), not a prototype.
  return Object.fromEntries(
    Object.entries(value).map((
      [key, item],
    ) => [key, expandEnv(item, env, missing, [...path, key], ancestors)]),
  );
}
