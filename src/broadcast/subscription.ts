import { listenForAbort } from "./abort.js";
import { createDeferred, type Deferred } from "./deferred.js";
import { SlowConsumerError } from "./errors.js";
import type { ResolvedQueueOptions } from "./options.js";
import { EMPTY_LOG, type RingLog } from "./ring-log.js";

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
  /**
   * Push mode: `sink` is called with everything queued, once per synchronous
   * burst of submits (in a microtask), with no promise per value or per call:
   * the fast path for a server writing to many sockets. The batch may be shared
   * with other sinks: do not change it. `pause()` when the consumer cannot take
   * more (values then queue, and the overflow policy applies as usual),
   * `resume()` to go on; `closed` tells the end (a sink that throws ends its
   * subscription, with that error). A subscription is consumed one way only:
   * after `consume()`, `next()` and `nextBatch()` reject.
   */
  consume(sink: (batch: readonly T[]) => void): void;
  /** Push mode: stop calling the sink until `resume()`. */
  pause(): void;
  resume(): void;
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

/** What a subscription needs from its broadcaster. */
export interface SubscriptionHost<T> {
  readonly log: RingLog<T>;
  /** The log's values from `from` to `to`, as one array every sink of the same burst shares. */
  sharedSlice(from: number, to: number): readonly T[];
  /** A sink has values to take: deliver them after the current synchronous burst. */
  schedule(subscription: SubscriptionImpl<T>): void;
  /** The sink takes every later burst (until `removeSink`). */
  addSink(subscription: SubscriptionImpl<T>): void;
  removeSink(subscription: SubscriptionImpl<T>): void;
  /** The subscription waits for the next submit (a pending `next()` or `nextBatch()`). */
  park(subscription: SubscriptionImpl<T>): void;
  unpark(subscription: SubscriptionImpl<T>): void;
  /** The subscription ended: forget it. */
  detach(subscription: SubscriptionImpl<T>): void;
}

/**
 * The broadcaster's handle on a subscription: a cursor into the shared log.
 * Its queue is the log from the cursor to the head. Internal: never exported
 * from the package.
 */
export class SubscriptionImpl<T> implements Subscription<T> {
  /** Position in the broadcaster's subscriber array, for O(1) removal. */
  slot = -1;
  /** Position in the broadcaster's parked array, or -1 when not waiting. */
  parkedSlot = -1;
  /** Position in the broadcaster's array of sinks fed after every burst, or -1. */
  sinkSlot = -1;
  readonly queueSize: number;
  #state: State = "open";
  #error: Error | undefined;
  #dropped = 0;
  /** The shared log while subscribed and draining; EMPTY_LOG once the queue is discarded. */
  #log: RingLog<T>;
  /** Position of the next value this subscription reads. */
  #cursor: number;
  readonly #dropOldest: boolean;
  readonly #host: SubscriptionHost<T>;
  readonly #closed = createDeferred<Error | undefined>();
  #removeAbortListener: () => void;
  /** A pending `next()` (resolved with a result) or `nextBatch()` (woken, then drains). */
  #valueWaiter: Deferred<IteratorResult<T, undefined>> | undefined;
  #batchWaiter: Deferred<T[] | undefined> | undefined;
  /** Push mode's consumer, and whether it asked to wait. */
  #sink: ((batch: readonly T[]) => void) | undefined;
  #paused = false;
  /**
   * Calls that must settle before a new call may take a value: calls queued
   * behind an earlier one, plus a woken `nextBatch()` that has not drained yet.
   * Zero on the fast path, so only overlapping calls pay for ordering.
   */
  #behind = 0;
  /** The latest call that had to wait; a call that overlaps it runs once it has settled. */
  #tail: Promise<unknown> = SETTLED;

  constructor(options: ResolvedQueueOptions, host: SubscriptionHost<T>, signal: AbortSignal | undefined) {
    this.queueSize = options.queueSize;
    this.#dropOldest = options.overflow === "drop-oldest";
    this.#host = host;
    this.#log = host.log;
    this.#cursor = host.log.head;
    this.#removeAbortListener = listenForAbort(signal, () => this.unsubscribe());
  }

  get dropped(): number {
    return this.#dropped;
  }

  get queued(): number {
    return this.#log.head - this.#cursor;
  }

  get closed(): Promise<Error | undefined> {
    return this.#closed.promise;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /**
   * Applies the overflow policy after a submit left this subscription more
   * than `queueSize` values behind. Returns its cursor, or -1 when it was
   * ended. Called by the broadcaster only.
   */
  overflow(): number {
    const excess = this.#log.head - this.#cursor - this.queueSize;
    if (excess > 0) {
      if (!this.#dropOldest) {
        this.#fail(new SlowConsumerError(this.queueSize));
        return -1;
      }
      this.#cursor += excess;
      this.#dropped += excess;
    }
    return this.#cursor;
  }

  /** The oldest position this subscription still needs. */
  get cursor(): number {
    return this.#cursor;
  }

  /**
   * A value was appended while this subscription was parked. A pending
   * `next()` takes it at once; a pending `nextBatch()` returns true: the
   * broadcaster calls `deliverBatch()` once the synchronous burst is over.
   * Called by the broadcaster only.
   */
  wake(value: T): boolean {
    const waiter = this.#valueWaiter;
    if (waiter !== undefined) {
      this.#valueWaiter = undefined;
      this.#cursor++;
      waiter.resolve({ value, done: false });
      return false;
    }
    return this.#batchWaiter !== undefined;
  }

  /** Settles a woken `nextBatch()`, or feeds the sink, with everything logged since. Called by the broadcaster only. */
  deliverBatch(): void {
    if (this.#sink !== undefined) {
      this.feedSink();
      return;
    }
    const waiter = this.#batchWaiter;
    if (waiter === undefined) return;
    if (this.#cursor === this.#log.head) {
      this.#host.park(this);
      return;
    }
    this.#batchWaiter = undefined;
    waiter.resolve(this.#drain());
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.#sink !== undefined) return Promise.reject(consumedBySink());
    if (this.#behind === 0 && this.#valueWaiter === undefined && this.#batchWaiter === undefined) {
      if (this.#cursor < this.#log.head)
        return Promise.resolve({ value: this.#log.at(this.#cursor++), done: false });
      const result = this.#nextNow();
      if (this.#valueWaiter !== undefined) this.#tail = result;
      return result;
    }
    // An earlier call has not taken its value yet: wait its turn (overlapping calls settle in call order).
    return this.#chain(() => this.#nextNow());
  }

  nextBatch(): Promise<T[] | undefined> {
    if (this.#sink !== undefined) return Promise.reject(consumedBySink());
    if (this.#behind === 0 && this.#valueWaiter === undefined && this.#batchWaiter === undefined) {
      if (this.#cursor < this.#log.head) return Promise.resolve(this.#drain());
      const result = this.#nextBatchNow();
      if (this.#batchWaiter !== undefined) this.#tail = result;
      return result;
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

  consume(sink: (batch: readonly T[]) => void): void {
    if (this.#sink !== undefined || this.#valueWaiter !== undefined || this.#batchWaiter !== undefined) {
      throw new TypeError("consume() needs a subscription nobody is reading yet");
    }
    this.#sink = sink;
    this.#startFeeding();
  }

  pause(): void {
    if (this.#sink === undefined || this.#paused) return;
    this.#paused = true;
    this.#host.removeSink(this);
  }

  resume(): void {
    if (this.#sink === undefined || !this.#paused) return;
    this.#paused = false;
    this.#startFeeding();
  }

  /**
   * Push mode: hands the sink everything queued (the batch shared with every
   * sink at the same position), and ends a drained subscription. Called by the
   * broadcaster after each burst.
   */
  feedSink(): void {
    const sink = this.#sink;
    if (sink === undefined || this.#paused) return;
    const head = this.#log.head;
    if (this.#cursor < head) {
      const batch = this.#host.sharedSlice(this.#cursor, head);
      this.#cursor = head;
      try {
        sink(batch);
      } catch (error) {
        // One consumer's failure ends its own subscription, never the others' delivery.
        this.#fail(error instanceof Error ? error : new Error(String(error)));
        return;
      }
    }
    if (this.#state === "draining" && this.#cursor === this.#log.head) this.#end();
  }

  unsubscribe(): void {
    if (this.#state === "ended") return;
    this.#discardQueue();
    this.#end();
  }

  /** The broadcaster closed: values already queued are still delivered, then the loop finishes. */
  drainAndEnd(): void {
    if (this.#state !== "open") return;
    this.#state = "draining";
    this.#removeAbortListener();
    if (this.#cursor === this.#log.head) this.#end();
    else if (this.#sink !== undefined && !this.#paused) this.#host.schedule(this);
  }

  /** Push mode, unpaused: fed after every burst from now on, and soon with what is already queued. */
  #startFeeding(): void {
    if (this.#state === "open") this.#host.addSink(this);
    if (this.#cursor < this.#log.head) this.#host.schedule(this);
    else if (this.#state === "draining") this.#end();
  }

  #fail(error: Error): void {
    this.#discardQueue();
    this.#error = error;
    this.#state = "failed";
    this.#host.detach(this);
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
      this.#host.detach(this);
      this.#removeAbortListener();
      this.#closed.resolve(undefined);
    }
    this.#valueWaiter?.resolve(DONE);
    this.#batchWaiter?.resolve(undefined);
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
    if (this.#cursor < this.#log.head)
      return Promise.resolve({ value: this.#log.at(this.#cursor++), done: false });
    if (this.#state !== "open") return this.#settleEnd(DONE);
    this.#valueWaiter = createDeferred();
    this.#host.park(this);
    return this.#valueWaiter.promise;
  }

  /** `nextBatch()` for the call at the head of the line. */
  #nextBatchNow(): Promise<T[] | undefined> {
    if (this.#cursor < this.#log.head) return Promise.resolve(this.#drain());
    if (this.#state !== "open") return this.#settleEnd(undefined);
    this.#batchWaiter = createDeferred();
    this.#host.park(this);
    return this.#batchWaiter.promise;
  }

  /** Takes everything from the cursor to the head. */
  #drain(): T[] {
    const head = this.#log.head;
    const batch = this.#log.slice(this.#cursor, head);
    this.#cursor = head;
    return batch;
  }

  /** Forgets the unread values (and the shared log with them). */
  #discardQueue(): void {
    this.#log = EMPTY_LOG;
    this.#cursor = 0;
  }
}

function consumedBySink(): TypeError {
  return new TypeError("this subscription is consumed by a sink (consume())");
}
