import { listenForAbort } from "./abort.js";
import { BoundedQueue } from "./bounded-queue.js";
import { createDeferred, type Deferred } from "./deferred.js";
import { SlowConsumerError } from "./errors.js";
import type { ResolvedQueueOptions } from "./options.js";

/**
 * One subscriber's view of a broadcaster: an async iterator of every value
 * submitted after `subscribe()` returned, in submit order.
 */
export interface Subscription<T> extends AsyncIterableIterator<T, undefined, undefined> {
  next(): Promise<IteratorResult<T, undefined>>;
  /** Unsubscribes; values still queued are discarded. Safe to call at any time, any number of times. */
  return(): Promise<IteratorResult<T, undefined>>;
  /**
   * Resolves with every value queued at wake-up (at least one), or `undefined`
   * once the subscription has ended. One wake-up per burst instead of one per
   * value: the fast path for consumers that write a batch to a socket at once.
   */
  nextBatch(): Promise<T[] | undefined>;
  /** The same subscription as an iterator of batches (see `nextBatch`). */
  batches(): AsyncIterableIterator<T[], undefined, undefined>;
  /** Unsubscribes synchronously (the same as `return()`). */
  unsubscribe(): void;
  /** Values lost to the `"drop-oldest"` policy so far. */
  readonly dropped: number;
  /** Values queued and not yet consumed. */
  readonly queued: number;
  /** Resolves (never rejects) when the subscription ends: with the error that ended it, if any. */
  readonly closed: Promise<Error | undefined>;
}

const DONE: IteratorResult<never, undefined> = Object.freeze({ value: undefined, done: true });
const SETTLED: Promise<unknown> = Promise.resolve();

type State = "open" | "draining" | "failed" | "ended";

/** The broadcaster's handle on a subscription. Internal: never exported from the package. */
export class SubscriptionImpl<T> implements Subscription<T> {
  /** Position in the broadcaster's subscriber array, for O(1) removal. */
  slot = -1;
  #state: State = "open";
  #error: Error | undefined;
  #dropped = 0;
  readonly #queue: BoundedQueue<T>;
  readonly #dropOldest: boolean;
  readonly #detach: (subscription: SubscriptionImpl<T>) => void;
  readonly #closed = createDeferred<Error | undefined>();
  #removeAbortListener: () => void;
  /** A pending `next()` (resolved with a result) or `nextBatch()` (woken, then drains). */
  #valueWaiter: Deferred<IteratorResult<T, undefined>> | undefined;
  #batchWaiter: Deferred<void> | undefined;
  /**
   * Calls that must settle before a new call may take a value: calls queued
   * behind an earlier one, plus a woken `nextBatch()` that has not drained yet.
   * Zero on the fast path, so only overlapping calls pay for ordering.
   */
  #behind = 0;
  /** The latest call that had to wait; a call that overlaps it runs once it has settled. */
  #tail: Promise<unknown> = SETTLED;

  constructor(
    options: ResolvedQueueOptions,
    detach: (subscription: SubscriptionImpl<T>) => void,
    signal: AbortSignal | undefined,
  ) {
    this.#queue = new BoundedQueue<T>(options.queueSize);
    this.#dropOldest = options.overflow === "drop-oldest";
    this.#detach = detach;
    this.#removeAbortListener = listenForAbort(signal, () => this.unsubscribe());
  }

  get dropped(): number {
    return this.#dropped;
  }

  get queued(): number {
    return this.#queue.size;
  }

  get closed(): Promise<Error | undefined> {
    return this.#closed.promise;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /**
   * Delivers one value. Returns false when the subscription was ended by the
   * overflow policy instead. Called by the broadcaster only.
   */
  push(value: T): boolean {
    const waiter = this.#valueWaiter;
    if (waiter !== undefined) {
      this.#valueWaiter = undefined;
      waiter.resolve({ value, done: false });
      return true;
    }
    if (this.#queue.isFull) {
      if (!this.#dropOldest) {
        this.#fail(new SlowConsumerError(this.#queue.limit));
        return false;
      }
      this.#queue.shift();
      this.#dropped++;
    }
    this.#queue.push(value);
    if (this.#batchWaiter !== undefined) {
      // Woken consumers drain in a microtask, after the rest of this burst is queued.
      this.#behind++;
      this.#batchWaiter.resolve();
      this.#batchWaiter = undefined;
    }
    return true;
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.#behind === 0) {
      if (this.#queue.size > 0) return Promise.resolve({ value: this.#queue.shift() as T, done: false });
      if (this.#valueWaiter === undefined && this.#batchWaiter === undefined) {
        const result = this.#nextNow();
        if (this.#valueWaiter !== undefined) this.#tail = result;
        return result;
      }
    }
    // An earlier call has not taken its value yet: wait its turn (overlapping calls settle in call order).
    return this.#chain(() => this.#nextNow());
  }

  nextBatch(): Promise<T[] | undefined> {
    if (this.#behind === 0) {
      if (this.#queue.size > 0) return Promise.resolve(this.#queue.drain());
      if (this.#valueWaiter === undefined && this.#batchWaiter === undefined) {
        const result = this.#nextBatchNow();
        if (this.#batchWaiter !== undefined) this.#tail = result;
        return result;
      }
    }
    return this.#chain(() => this.#nextBatchNow());
  }

  batches(): AsyncIterableIterator<T[], undefined, undefined> {
    const batches: AsyncIterableIterator<T[], undefined, undefined> = {
      next: async () => {
        const batch = await this.nextBatch();
        return batch === undefined ? DONE : { value: batch, done: false };
      },
      return: async () => {
        this.unsubscribe();
        return DONE;
      },
      [Symbol.asyncIterator]: () => batches,
    };
    return batches;
  }

  return(): Promise<IteratorResult<T, undefined>> {
    this.unsubscribe();
    return Promise.resolve(DONE);
  }

  unsubscribe(): void {
    if (this.#state === "ended") return;
    this.#queue.clear();
    this.#end();
  }

  /** The broadcaster closed: values already queued are still delivered, then the loop finishes. */
  drainAndEnd(): void {
    if (this.#state !== "open") return;
    this.#state = "draining";
    this.#removeAbortListener();
    if (this.#queue.size === 0) this.#end();
  }

  #fail(error: Error): void {
    this.#queue.clear();
    this.#error = error;
    this.#state = "failed";
    this.#detach(this);
    this.#removeAbortListener();
    this.#closed.resolve(error);
    const waiter = this.#valueWaiter ?? this.#batchWaiter;
    if (waiter !== undefined) {
      // The pending call reports the error; later calls just see the end.
      this.#state = "ended";
      this.#error = undefined;
      waiter.reject(error);
    }
    this.#valueWaiter = undefined;
    this.#batchWaiter = undefined;
  }

  #end(): void {
    const wasFailed = this.#state === "failed";
    this.#state = "ended";
    this.#error = undefined;
    if (!wasFailed) {
      this.#detach(this);
      this.#removeAbortListener();
      this.#closed.resolve(undefined);
    }
    this.#valueWaiter?.resolve(DONE);
    if (this.#batchWaiter !== undefined) {
      this.#behind++;
      this.#batchWaiter.resolve();
    }
    this.#valueWaiter = undefined;
    this.#batchWaiter = undefined;
  }

  /** The queue is empty and the subscription no longer open: report the error once, then done. */
  #settleEnd<R>(done: R): Promise<R> {
    const error = this.#takeEndError();
    return error === undefined ? Promise.resolve(done) : Promise.reject(error);
  }

  /** Returns the error that ended the subscription the first time only; ends a drained subscription. */
  #takeEndError(): Error | undefined {
    if (this.#state === "failed") {
      const error = this.#error;
      this.#state = "ended";
      this.#error = undefined;
      return error;
    }
    if (this.#state === "draining") this.#end();
    return undefined;
  }

  /** Runs `call` once the latest waiting call has settled. Only overlapping calls pay for this. */
  #chain<R>(call: () => Promise<R>): Promise<R> {
    this.#behind++;
    const result = this.#tail.then(call, call);
    this.#tail = result;
    const settled = (): void => {
      this.#behind--;
    };
    void result.then(settled, settled);
    return result;
  }

  /** `next()` for the call at the head of the line. */
  #nextNow(): Promise<IteratorResult<T, undefined>> {
    if (this.#queue.size > 0) return Promise.resolve({ value: this.#queue.shift() as T, done: false });
    if (this.#state !== "open") return this.#settleEnd(DONE);
    this.#valueWaiter = createDeferred();
    return this.#valueWaiter.promise;
  }

  /** `nextBatch()` for the call at the head of the line. */
  #nextBatchNow(): Promise<T[] | undefined> {
    if (this.#queue.size > 0) return Promise.resolve(this.#queue.drain());
    if (this.#state !== "open") return this.#settleEnd(undefined);
    this.#batchWaiter = createDeferred();
    return this.#batchWaiter.promise.then(() => this.#afterBatchWake());
  }

  /** Drains in the same job that settles the woken call, so no later call can settle first. */
  #afterBatchWake(): T[] | undefined | Promise<T[] | undefined> {
    this.#behind--;
    if (this.#queue.size > 0) return this.#queue.drain();
    if (this.#state === "open") return this.#nextBatchNow();
    const error = this.#takeEndError();
    if (error !== undefined) throw error;
    return undefined;
  }
}
