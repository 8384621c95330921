/**
 * What one look at an LLM server found, in the words every preset shares: the
 * server's phase (`loading`, `serving`, `idle`, `failing` with a cause) and a
 * message naming the phase and quoting the server. A preset returns a
 * {@link Look}; `verdicts.ts` turns it into one verdict per probe group.
 *
 * @module
 */

/** Where the server is: still loading, generating, idle (loads on demand), or failing. */
export type Phase = "loading" | "serving" | "idle" | "failing";

/**
 * Why a server is failing. `unreachable`: no answer (after it had started);
 * `engine`: the engine is dead or broken; `stall`: requests wait and no token
 * moves (the stall watchdog, not in the cheap look); `unhealthy`: the server
 * says so for good (TabbyAPI); `model`: the model is not there; `auth`: the key
 * is missing or wrong; `busy`: the server turns requests away (TGI 429);
 * `protocol`: the answer is not that server's.
 */
export type Cause =
  | "unreachable"
  | "engine"
  | "stall"
  | "unhealthy"
  | "model"
  | "auth"
  | "busy"
  | "protocol";

/**
 * What a look says about this run's metrics scrape (`metrics_page.ts`): a
 * query to add to the default metrics URL (llama.cpp router mode:
 * `?model=<id>`), or `false`: do not scrape (the scrape would load the model).
 */
export type Scrape = false | { readonly query: string };

/** One look's finding: the phase, the cause when failing, and the message. */
export type Look =
  | { readonly phase: "loading" | "idle"; readonly message: string; readonly scrape?: Scrape }
  | {
    readonly phase: "serving";
    readonly message: string;
    readonly scrape?: Scrape;
    /** The model name the server serves (what a deep probe asks for). */
    readonly model?: string;
    /** The deep probe's first token came later than `generate.warnAfter`: readiness WARN. */
    readonly warn?: boolean;
  }
  | {
    readonly phase: "failing";
    readonly cause: Cause;
    readonly message: string;
    readonly scrape?: Scrape;
  };

/**
 * A loading look: the message starts with `loading: `.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loading } from "./look.ts";
 * assert(loading('llama.cpp says "Loading model"').message === 'loading: llama.cpp says "Loading model"');
 * ```
 */
export const loading = (words: string): Look => ({
  phase: "loading",
  message: `loading: ${words}`,
});

/** A serving look: `serving model "x"`, with what else the server said. */
export const serving = (model: string, more = ""): Look => ({
  phase: "serving",
  message: `serving model ${JSON.stringify(model)}${more}`,
  model,
});

/** An idle look: the message starts with `idle: `. */
export const idle = (words: string): Look => ({ phase: "idle", message: `idle: ${words}` });

/** A failing look with its cause; the message is the server's words, as they are. */
export const failing = (cause: Cause, message: string): Look => ({
  phase: "failing",
  cause,
  message,
});
