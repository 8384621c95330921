/**
 * The worker that loads a config away from vitals' main thread, so the YAML
 * parser, the validator and the code they ran are freed with the worker (see
 * `load_aside.ts`). It answers one request: the loaded config, or the
 * problems of a {@link ConfigError}, as plain data.
 *
 * @module
 */

import { detectPlatform } from "../platform/mod.ts";
import { ConfigError, type ConfigProblem } from "./error.ts";
import { loadConfigFile, parseConfigFiles } from "./load.ts";
import type { Config } from "./resolve.ts";

/** What the main thread asks for: a file to read, or text it has just read. */
export interface LoadRequest {
  readonly file: string;
  readonly text?: string | undefined;
  readonly env: Readonly<Record<string, string>>;
  /** What to say when the file does not exist (see `LoadOptions` in `load.ts`). */
  readonly missingHint?: string | undefined;
}

/** What the worker answers. */
export type LoadReply =
  | { readonly ok: true; readonly config: Config; readonly text: string }
  | {
    readonly ok: false;
    readonly file: string;
    readonly problems: readonly ConfigProblem[];
    readonly message: string;
  }
  | { readonly ok: false; readonly unexpected: string };

/** Loads what `request` asks for, in this thread, as the reply says it. */
async function answer(request: LoadRequest): Promise<LoadReply> {
  try {
    const { readTextFile, stat, checkServerTls } = detectPlatform();
    const platform = { readTextFile, stat, checkServerTls, env: () => request.env };
    if (request.text === undefined) {
      const { config, text } = await loadConfigFile(request.file, platform, {
        missingHint: request.missingHint,
      });
      return { ok: true, config, text };
    }
    const config = await parseConfigFiles(request.text, request.file, platform);
    return { ok: true, config, text: request.text };
  } catch (error) {
    if (error instanceof ConfigError) {
      return { ok: false, file: error.file, problems: error.problems, message: error.message };
    }
    return { ok: false, unexpected: error instanceof Error ? error.message : String(error) };
  }
}

/** The worker's scope, typed here so the module type-checks without the WebWorker lib. */
const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<LoadRequest>) => void) | null;
  postMessage(reply: LoadReply | null): void;
};

/**
 * Sends `reply`; one that cannot be sent (a value structured clone refuses)
 * is replaced by `null`, which is no reply: the main thread loads in place.
 */
function send(reply: LoadReply | null): void {
  try {
    scope.postMessage(reply);
  } catch {
    try {
      scope.postMessage(null);
    } catch {
      // The main thread is gone.
    }
  }
}

// Never throws, never rejects: `answer` turns every failure into a reply.
scope.onmessage = (event) => void answer(event.data).then(send, () => send(null));
