/**
 * A bounded worker pool: runs tasks with at most `size` in flight, keeping
 * results in task order. A slow or failing task holds one slot and nothing else.
 * {@link Limiter} is the same bound shared by callers that arrive over time,
 * such as background check loops.
 *
 * @module
 */

function assertSize(size: number): void {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`Pool size must be a whole number of at least 1, got ${size}`);
  }
}

/**
 * Runs tasks with at most `size` at once, first come first served.
 *
 * @example
 * ```ts
 * const limiter = new Limiter(4);
 * const response = await limiter.run(() => fetch(url));
 * ```
 */
export class Limiter {
  #size: number;
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(size: number) {
    assertSize(size);
    this.#size = size;
  }

  /** Changes the bound (after a reload); running tasks are not interrupted. */
  resize(size: number): void {
    assertSize(size);
    this.#size = size;
    this.#wake();
  }

  /** Runs `task` when a slot is free and returns its result. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#size) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#active++;
    }
    try {
      return await task();
    } finally {
      this.#active--;
      this.#wake();
    }
  }

  #wake(): void {
    while (this.#active < this.#size && this.#waiting.length > 0) {
      this.#active++;
      this.#waiting.shift()!();
    }
  }
}

/**
 * Runs every task with at most `size` running at once and returns the results in
 * the order of `tasks`. A task that rejects makes the whole call reject only
 * after every task has finished; callers that need isolation pass tasks that
 * never reject (as checks do).
 *
 * @example
 * ```ts
 * const results = await runPool(urls.map((url) => () => fetch(url)), 4);
 * ```
 */
export async function runPool<T>(
  tasks: readonly (() => Promise<T>)[],
  size: number,
): Promise<T[]> {
  assertSize(size);
  const results = new Array<T>(tasks.length);
  const errors: unknown[] = [];
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      try {
        results[index] = await tasks[index]!();
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, tasks.length) }, worker));
  if (errors.length > 0) {
    throw errors.length === 1
      ? errors[0]
      : new AggregateError(errors, `${errors.length} tasks failed`);
  }
  return results;
}
