/**
 * Test support for the broadcast suites. Kept beside the tests (not a `.test.ts`
 * file) so the suites carry no dependency outside their own folder.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

export interface Deferred<T> {
  readonly promise: Promise<T>;
  readonly resolve: (value: T) => void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

/**
 * A counter a test can wait on: consumers `advance()` it, the driver awaits
 * `reached(n)`. Replaces sleeps and polling with an exact condition.
 */
interface ProgressWaiter {
  readonly target: number;
  readonly resolve: () => void;
}

export class Progress {
  #count = 0;
  #waiters: ProgressWaiter[] = [];

  get count(): number {
    return this.#count;
  }

  advance(by = 1): void {
    this.#count += by;
    if (this.#waiters.length === 0) return;
    const still: ProgressWaiter[] = [];
    for (const waiter of this.#waiters) {
      if (waiter.target <= this.#count) waiter.resolve();
      else still.push(waiter);
    }
    this.#waiters = still;
  }

  reached(target: number): Promise<void> {
    if (target <= this.#count) return Promise.resolve();
    const { promise, resolve } = deferred();
    this.#waiters.push({ target, resolve });
    return promise;
  }
}

/** Every value of an async iterable, in order. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

/** The integers `from, from + 1, …, to - 1`. */
export function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(i);
  return out;
}

/** A small deterministic PRNG (mulberry32), so scale tests are reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A full garbage collection, even when the worker was not started with
 * `--expose-gc`: the flag is set at run time and `gc` read from a fresh context.
 */
export function fullGc(): void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing !== undefined) {
    existing();
    return;
  }
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}
