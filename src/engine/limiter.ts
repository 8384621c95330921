/**
 * The bounded pool behind check runs: at most `size` tasks in flight, first
 * come first served. A slow or failing task holds one slot and nothing else.
 *
 * @module
 */

function assertSize(size: number): void {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`Invalid pool size "${size}": expected a whole number of at least 1`);
  }
}

/**
 * Runs tasks with at most `size` at once, first come first served.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Limiter } from "./limiter.ts";
 * const limiter = new Limiter(2);
 * const results = await Promise.all([1, 2, 3].map((n) => limiter.run(async () => n * 2)));
 * assert(results.join() === "2,4,6");
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
