/**
 * Matching an http check's `bodyMatches` off the main thread, in Web Workers.
 *
 * A backtracking regular expression can take seconds (`\s+$` over 64 KiB of
 * spaces) or longer than anyone waits (`(a+)+$`), and a match cannot be
 * interrupted where it runs: on the main thread it would stall every answer
 * vitals gives. In a worker it stalls only that worker, and the check still
 * ends at its timeout. Terminating a worker does not stop a match on Deno,
 * so a match past its check's timeout is left to finish, its worker busy
 * until then; new workers start only while every worker is busy with such a
 * match, up to {@link MAX_WORKERS}, so slow patterns cost a bounded number of
 * threads.
 *
 * @module
 */

/** The most workers at once: each one stuck on a slow match holds a thread (and on Deno ~8 MB). */
export const MAX_WORKERS = 4;

/** Compiled patterns a worker keeps (a config has a handful). */
const CACHED_PATTERNS = 64;

/** The worker: tests a pattern against a text, answering `{id, matched}` or `{id, error}`. */
const WORKER_SOURCE = `
const compiled = new Map();
self.onmessage = ({ data }) => {
  try {
    let regex = compiled.get(data.pattern);
    if (regex === undefined) {
      if (compiled.size >= ${CACHED_PATTERNS}) compiled.clear();
      regex = new RegExp(data.pattern);
      compiled.set(data.pattern, regex);
    }
    self.postMessage({ id: data.id, matched: regex.test(data.text) });
  } catch (error) {
    self.postMessage({ id: data.id, error: String(error && error.message || error) });
  }
};
`;

/** Why a match ended without an answer: its signal aborted while it ran or waited. */
export class MatchAbandonedError extends Error {
  /** Whether it was still waiting for a worker (every worker busy with a slow match). */
  readonly queued: boolean;

  constructor(queued: boolean, options?: ErrorOptions) {
    super(
      queued
        ? "Cannot match the body: every worker is busy with an earlier, slow match"
        : "Cannot match the body: the match did not finish in time",
      options,
    );
    this.name = "MatchAbandonedError";
    this.queued = queued;
  }
}

/** One match: its answer, and when its worker is done with it. */
export interface RunningMatch {
  /** Whether the pattern matched; rejects with {@link MatchAbandonedError} when the signal aborts. */
  readonly result: Promise<boolean>;
  /** Settles once no worker is busy with this match any more (at once if it never started). */
  readonly finished: Promise<void>;
}

interface Job {
  readonly id: number;
  readonly pattern: string;
  readonly text: string;
  resolve(matched: boolean): void;
  reject(error: unknown): void;
  /** Marks the worker done with it. */
  done(): void;
  abandoned: boolean;
  stopListening(): void;
}

interface Slot {
  readonly worker: Worker;
  job: Job | undefined;
}

/**
 * Workers that test regular expressions; one pool serves every http check.
 *
 * @example
 * ```ts ignore
 * const match = regexPool().match('"status":\\s*"ok"', body, signal);
 * await match.result; // true or false; rejects when `signal` aborts first
 * ```
 */
export class RegexPool {
  readonly #maxWorkers: number;
  #slots: Slot[] = [];
  #queue: Job[] = [];
  #url: string | undefined;
  #nextId = 0;

  constructor(maxWorkers = MAX_WORKERS) {
    this.#maxWorkers = maxWorkers;
  }

  /**
   * Starts a worker now if there is none, so the first match does not wait
   * for one (tens of milliseconds on Deno). A worker that cannot start is
   * reported by the first match instead.
   */
  warm(): void {
    if (this.#slots.length > 0) return;
    try {
      this.#start();
    } catch {
      // match() says why.
    }
  }

  /** Tests `pattern` (JavaScript syntax, no flags) against `text` in a worker. */
  match(pattern: string, text: string, signal: AbortSignal): RunningMatch {
    let done = () => {};
    const finished = new Promise<void>((resolve) => done = resolve);
    const result = new Promise<boolean>((resolve, reject) => {
      if (signal.aborted) {
        done();
        return reject(new MatchAbandonedError(true, { cause: signal.reason }));
      }
      const onAbort = () => {
        const queued = this.#queue.indexOf(job);
        if (queued !== -1) {
          this.#queue.splice(queued, 1);
          job.done();
        }
        job.abandoned = true;
        reject(new MatchAbandonedError(queued !== -1, { cause: signal.reason }));
      };
      const job: Job = {
        id: this.#nextId++,
        pattern,
        text,
        resolve,
        reject,
        done,
        abandoned: false,
        stopListening: () => signal.removeEventListener("abort", onAbort),
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(job);
      this.#pump();
    });
    return { result, finished };
  }

  /** Hands queued jobs to idle workers, starting one when all are stuck on abandoned matches. */
  #pump(): void {
    while (this.#queue.length > 0) {
      let slot = this.#slots.find((candidate) => candidate.job === undefined);
      if (slot === undefined) {
        const allStuck = this.#slots.every((busy) => busy.job?.abandoned === true);
        if (!allStuck || this.#slots.length >= this.#maxWorkers) return;
        try {
          slot = this.#start();
        } catch (error) {
          const job = this.#queue.shift()!;
          this.#finish(job, () =>
            job.reject(
              new Error(`Cannot start a worker to match the body: ${String(error)}`, {
                cause: error,
              }),
            ));
          continue;
        }
      }
      const job = this.#queue.shift()!;
      slot.job = job;
      slot.worker.postMessage({ id: job.id, pattern: job.pattern, text: job.text });
    }
  }

  #start(): Slot {
    this.#url ??= URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
    const slot: Slot = { worker: new Worker(this.#url, { type: "module" }), job: undefined };
    slot.worker.onmessage = (event: MessageEvent) => {
      const job = slot.job;
      if (job === undefined || event.data?.id !== job.id) return;
      slot.job = undefined;
      const { matched, error } = event.data as { matched?: boolean; error?: string };
      this.#finish(job, () => {
        if (error === undefined) job.resolve(matched === true);
        else job.reject(new Error(`Cannot match the body: ${error}`));
      });
      // One idle worker is enough; others were started for slow matches.
      if (this.#slots.some((other) => other !== slot && other.job === undefined)) {
        this.#drop(slot);
      }
      this.#pump();
    };
    slot.worker.onerror = (event: ErrorEvent) => {
      event.preventDefault(); // a worker's failure is the match's, not vitals'
      this.#drop(slot);
      const job = slot.job;
      slot.job = undefined;
      if (job !== undefined) {
        this.#finish(job, () => job.reject(new Error(`Cannot match the body: ${event.message}`)));
      }
      this.#pump();
    };
    this.#slots.push(slot);
    return slot;
  }

  #drop(slot: Slot): void {
    slot.worker.terminate();
    this.#slots = this.#slots.filter((other) => other !== slot);
  }

  /** Settles a job that a worker is done with (an abandoned one was settled on abort). */
  #finish(job: Job, settle: () => void): void {
    job.stopListening();
    job.done();
    if (!job.abandoned) settle();
  }
}

let shared: RegexPool | undefined;

/** The pool every http check shares, started on first use. */
export function regexPool(): RegexPool {
  return shared ??= new RegexPool();
}
