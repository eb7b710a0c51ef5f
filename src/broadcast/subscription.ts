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
      this.#batchWaiter.resolve();
      this.#batchWaiter = undefined;
    }
    return true;
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.#queue.size > 0) return Promise.resolve({ value: this.#queue.shift() as T, done: false });
    if (this.#state !== "open") return this.#settleEnd(DONE);
    if (this.#valueWaiter !== undefined || this.#batchWaiter !== undefined) {
      // Overlapping calls settle in call order.
      return this.#pendingPromise().then(() => this.next());
    }
    this.#valueWaiter = createDeferred();
    return this.#valueWaiter.promise;
  }

  nextBatch(): Promise<T[] | undefined> {
    if (this.#queue.size > 0) return Promise.resolve(this.#queue.drain());
    if (this.#state !== "open") return this.#settleEnd(undefined);
    if (this.#valueWaiter !== undefined || this.#batchWaiter !== undefined) {
      return this.#pendingPromise().then(() => this.nextBatch());
    }
    this.#batchWaiter = createDeferred();
    return this.#batchWaiter.promise.then(() => this.nextBatch());
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
    this.#batchWaiter?.resolve();
    this.#valueWaiter = undefined;
    this.#batchWaiter = undefined;
  }

  /** The queue is empty and the subscription no longer open: report the error once, then done. */
  #settleEnd<R>(done: R): Promise<R> {
    if (this.#state === "failed") {
      const error = this.#error as Error;
      this.#state = "ended";
      this.#error = undefined;
      return Promise.reject(error);
    }
    if (this.#state === "draining") this.#end();
    return Promise.resolve(done);
  }

  #pendingPromise(): Promise<unknown> {
    return (this.#valueWaiter?.promise ?? this.#batchWaiter?.promise ?? Promise.resolve()).catch(
      () => undefined,
    );
  }
}
