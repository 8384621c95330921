/**
 * Waiting in real time, bounded: `sleep`, a `gate` the test opens, and
 * `eventually`, which polls a condition until it holds or the time is up.
 *
 * @module
 */

/** Sleeps `ms` of real time; ends early (without error) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}

/** A promise the test resolves when it wants. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Polls `condition` every 20 ms for at most `ms`; returns whether it became true. */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  ms = 2000,
): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if (await condition()) return true;
    await sleep(20);
  }
  return await condition();
}
