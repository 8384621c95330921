/**
 * Loads a config for a long-running `vitals serve` without keeping the YAML
 * parser and the validator in memory: where the platform says a short-lived
 * worker frees its memory (`workerFreesMemory`: Bun), the work runs in one
 * (`_load_worker.ts`) that hands back the plain config and is then
 * terminated, taking its heap and the code it compiled with it.
 *
 * Why (BENCHMARKS.md, "Idle memory"), measured on the `bun build --compile`
 * binary with the example config: loading in the worker cut private
 * (anonymous) memory at idle from 12.8-14.7 MB to 6.5 MB. On Deno the same
 * worker left 4 MB more than loading in place (V8 keeps the memory it took),
 * so there the config is loaded in place. If the worker cannot start (a
 * build that left its entry point out), the config is loaded in place:
 * slower to free, never wrong. Only serve and reload use this; one-shot
 * commands load in place.
 *
 * This module must not import `load.ts` statically: that would bring the
 * parser and the validator back into the main thread.
 *
 * The worker's event handlers never throw, and every way a worker can end
 * without a reply (an error, a message that cannot be read, exiting) settles
 * the wait: the config is then loaded in place.
 *
 * @module
 */

import type { Platform } from "../platform/platform.ts";
import type { LoadReply, LoadRequest } from "./_load_worker.ts";
import { ConfigError } from "./error.ts";
import type { Config } from "./resolve.ts";

/** What loading needs from the platform. */
export type LoadPlatform =
  & Pick<Platform, "readTextFile" | "stat" | "env" | "workerFreesMemory">
  & Partial<Pick<Platform, "checkServerTls">>;

/**
 * Where the worker's module is. Run from source, next to this file. Bundled
 * (`bun build --compile main.ts src/config/_load_worker.ts`), this module's
 * URL is the bundle's, at the root, and the worker is an entry point kept
 * under its source path.
 */
function workerUrl(): string {
  const fromSource = import.meta.url.endsWith("/load_aside.ts");
  return new URL(fromSource ? "./_load_worker.ts" : "./src/config/_load_worker.ts", import.meta.url)
    .href;
}

/** The worker's answer if it is one (`ok` set), else `undefined`. */
function replyOf(data: unknown): LoadReply | undefined {
  return typeof data === "object" && data !== null && "ok" in data ? data as LoadReply : undefined;
}

/** Runs `request` in a worker; undefined when the worker could not run it. */
function inWorker(request: LoadRequest): Promise<LoadReply | undefined> {
  let worker: Worker;
  try {
    worker = new Worker(workerUrl(), { type: "module" });
  } catch {
    return Promise.resolve(undefined);
  }
  return new Promise<LoadReply | undefined>((resolve) => {
    worker.onmessage = (event: MessageEvent<unknown>) => resolve(replyOf(event.data));
    worker.onmessageerror = () => resolve(undefined);
    worker.onerror = (event) => {
      try {
        event.preventDefault(); // the worker's failure is not vitals'
      } catch {
        // Not cancelable here: nothing more to stop.
      }
      resolve(undefined);
    };
    // Bun tells when a worker exits; one that exits without a reply has none to give.
    worker.addEventListener("close", () => resolve(undefined));
    try {
      worker.postMessage(request);
    } catch {
      resolve(undefined);
    }
  }).finally(() => worker.terminate());
}

/** Loads in this thread, importing the parser and the validator only now. */
async function inPlace(request: LoadRequest, platform: LoadPlatform) {
  const { loadConfigFile, parseConfigFiles } = await import("./load.ts");
  if (request.text === undefined) {
    return await loadConfigFile(request.file, platform, { missingHint: request.missingHint });
  }
  return {
    config: await parseConfigFiles(request.text, request.file, platform),
    text: request.text,
  };
}

/** The reply's config, or its error thrown as it was thrown in the worker. */
function unpack(reply: Exclude<LoadReply, undefined>): { config: Config; text: string } {
  if (reply.ok) return { config: reply.config, text: reply.text };
  if ("unexpected" in reply) throw new Error(reply.unexpected);
  // A message without a problem list below its head was given its own head.
  const head = reply.message.includes("\n") ? undefined : reply.message;
  throw new ConfigError(reply.file, reply.problems, head === undefined ? undefined : { head });
}

/**
 * Reads, parses and validates a config file, as `loadConfigFile` in
 * `load.ts` does, off the main thread where that saves memory; `text`, when
 * given, is the file's content the caller has just read; `missingHint`, what
 * to say when the file does not exist (see `LoadOptions` in `load.ts`).
 *
 * @throws {ConfigError} when the file cannot be read or is not a valid config
 * @example
 * ```ts ignore
 * const { config, text } = await loadConfigAside("vitals.yaml", detectPlatform());
 * ```
 */
export async function loadConfigAside(
  file: string,
  platform: LoadPlatform,
  text?: string,
  missingHint?: string,
): Promise<{ config: Config; text: string }> {
  const request: LoadRequest = { file, text, env: platform.env(), missingHint };
  if (platform.workerFreesMemory) {
    const reply = await inWorker(request);
    if (reply !== undefined) return unpack(reply);
  }
  return await inPlace(request, platform);
}
