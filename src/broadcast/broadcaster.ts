import { BroadcasterClosedError } from "./errors.js";
import {
  type BroadcasterOptions,
  DEFAULT_QUEUE_OPTIONS,
  type ResolvedQueueOptions,
  resolveQueueOptions,
  type SubscribeOptions,
} from "./options.js";
import { RingLog } from "./ring-log.js";
import { type Subscription, type SubscriptionHost, SubscriptionImpl } from "./subscription.js";

/**
 * Fans every submitted value out to every current subscriber.
 *
 * `submit` is synchronous and never waits for a subscriber. Values go into one
 * log shared by all subscribers, each reading it through its own cursor: a
 * submit costs the same whether ten or ten thousand subscribers are behind,
 * and only subscribers waiting for a value are touched. Each subscriber may be
 * at most its queue size behind; past it, the overflow policy applies to that
 * subscriber alone.
 */
export class Broadcaster<T> {
  readonly #defaults: ResolvedQueueOptions;
  readonly #onIdle: (() => void) | undefined;
  readonly #log = new RingLog<T>();
  #subscribers: SubscriptionImpl<T>[] = [];
  /** Subscribers with a pending `next()`/`nextBatch()`, woken by the next submit. */
  #parked: SubscriptionImpl<T>[] = [];
  /** Woken `nextBatch()` calls, settled together once the current synchronous burst is over. */
  #woken: SubscriptionImpl<T>[] = [];
  readonly #deliverBatches = (): void => {
    const woken = this.#woken;
    this.#woken = [];
    for (const subscription of woken) subscription.deliverBatch();
  };
  /** Subscriptions consumed by an unpaused sink: all fed once after each burst. */
  #sinks: SubscriptionImpl<T>[] = [];
  #sinksDue = false;
  readonly #feedSinks = (): void => {
    this.#sinksDue = false;
    const sinks = this.#sinks;
    // Backwards, so a sink leaving mid-loop swaps in one already fed.
    for (let i = sinks.length - 1; i >= 0; i--) (sinks[i] as SubscriptionImpl<T>).feedSink();
  };
  /** The last slice handed to a sink: sinks fed after the same burst share one array. */
  #shared: { from: number; to: number; batch: readonly T[] } = { from: 0, to: 0, batch: [] };
  /** The smallest queue size among subscribers: a longer log means someone may be over. */
  #smallestQueue: number;
  #closed = false;
  #submitting = false;
  #leftDuringSubmit = false;
  readonly #host: SubscriptionHost<T> = {
    log: this.#log,
    park: (subscription) => {
      subscription.parkedSlot = this.#parked.length;
      this.#parked.push(subscription);
    },
    unpark: (subscription) => removeAt(this.#parked, subscription, "parkedSlot"),
    addSink: (subscription) => {
      if (subscription.sinkSlot >= 0) return;
      subscription.sinkSlot = this.#sinks.length;
      this.#sinks.push(subscription);
    },
    removeSink: (subscription) => removeAt(this.#sinks, subscription, "sinkSlot"),
    schedule: (subscription) => {
      if (this.#woken.push(subscription) === 1) queueMicrotask(this.#deliverBatches);
    },
    sharedSlice: (from, to) => {
      const shared = this.#shared;
      if (shared.from === from && shared.to === to) return shared.batch;
      const batch = this.#log.slice(from, to);
      this.#shared = { from, to, batch };
      return batch;
    },
    detach: (subscription) => this.#detach(subscription),
  };

  constructor(options?: BroadcasterOptions) {
    this.#defaults = resolveQueueOptions(options, DEFAULT_QUEUE_OPTIONS);
    this.#onIdle = options?.onIdle;
    this.#smallestQueue = this.#defaults.queueSize;
  }

  /** Current number of subscribers. */
  get subscriberCount(): number {
    return this.#subscribers.length;
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /**
   * Registers a subscriber at once: every value submitted after this call
   * returns is delivered to it, even if iteration starts later.
   * @throws BroadcasterClosedError after `close()`.
   */
  subscribe(options?: SubscribeOptions): Subscription<T> {
    if (this.#closed) throw new BroadcasterClosedError("subscribe");
    const queue =
      options?.queueSize === undefined && options?.overflow === undefined
        ? this.#defaults
        : resolveQueueOptions(options, this.#defaults);
    const signal = options?.signal;
    const subscription = new SubscriptionImpl<T>(queue, this.#host, signal?.aborted ? undefined : signal);
    if (signal?.aborted) {
      subscription.unsubscribe();
      return subscription;
    }
    this.#smallestQueue = Math.min(this.#smallestQueue, queue.queueSize);
    subscription.slot = this.#subscribers.length;
    this.#subscribers.push(subscription);
    return subscription;
  }

  /**
   * Queues `value` for every current subscriber and returns how many received
   * it (a subscriber ended by the `"error"` overflow policy does not count).
   * @throws BroadcasterClosedError after `close()`.
   */
  submit(value: T): number {
    if (this.#closed) throw new BroadcasterClosedError("submit");
    if (this.#subscribers.length === 0) return 0;
    this.#log.push(value);
    this.#submitting = true;
    if (this.#log.size > this.#smallestQueue) this.#applyOverflow();
    if (this.#sinks.length > 0 && !this.#sinksDue) {
      this.#sinksDue = true;
      queueMicrotask(this.#feedSinks);
    }
    const parked = this.#parked;
    if (parked.length > 0) {
      this.#parked = [];
      const woken = this.#woken;
      const firstWake = woken.length === 0;
      for (const subscription of parked) {
        subscription.parkedSlot = -1;
        if (subscription.wake(value)) woken.push(subscription);
      }
      // One microtask for every batch consumer: each gets the whole burst in one array.
      if (firstWake && woken.length > 0) queueMicrotask(this.#deliverBatches);
    }
    this.#submitting = false;
    const reached = this.#subscribers.length;
    if (this.#leftDuringSubmit) {
      this.#leftDuringSubmit = false;
      if (reached === 0) this.#onIdle?.();
    }
    return reached;
  }

  /**
   * Ends every subscription: each loop still receives what was already queued
   * for it, then finishes normally. Later `submit`/`subscribe` calls throw.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const subscribers = this.#subscribers;
    this.#subscribers = [];
    this.#parked = [];
    this.#sinks = [];
    for (const subscription of subscribers) {
      subscription.slot = -1;
      subscription.parkedSlot = -1;
      subscription.sinkSlot = -1;
      subscription.drainAndEnd();
    }
    if (subscribers.length > 0) this.#onIdle?.();
  }

  /**
   * Someone may be more than its queue size behind: apply the overflow
   * policies, then forget what every remaining subscriber has read. Runs at
   * most once per `smallestQueue` submits while everyone keeps up.
   */
  #applyOverflow(): void {
    const subscribers = this.#subscribers;
    let oldest = this.#log.head;
    // Backwards, so a subscriber removed mid-loop swaps in one already visited.
    for (let i = subscribers.length - 1; i >= 0; i--) {
      const cursor = (subscribers[i] as SubscriptionImpl<T>).overflow();
      if (cursor >= 0 && cursor < oldest) oldest = cursor;
    }
    this.#log.trimTo(oldest);
  }

  #detach(subscription: SubscriptionImpl<T>): void {
    if (subscription.parkedSlot >= 0) removeAt(this.#parked, subscription, "parkedSlot");
    if (subscription.sinkSlot >= 0) removeAt(this.#sinks, subscription, "sinkSlot");
    if (subscription.slot < 0) return;
    removeAt(this.#subscribers, subscription, "slot");
    if (this.#subscribers.length > 0) return;
    this.#smallestQueue = this.#defaults.queueSize;
    this.#log.trimTo(this.#log.head);
    if (this.#submitting) this.#leftDuringSubmit = true;
    else this.#onIdle?.();
  }
}

/** O(1) removal from an unordered array whose members remember their index under `key`. */
function removeAt<S extends Record<K, number>, K extends "slot" | "parkedSlot" | "sinkSlot">(
  array: S[],
  item: S,
  key: K,
): void {
  const index = item[key];
  if (index < 0) return;
  const last = array.pop() as S;
  if (last !== item) {
    array[index] = last;
    (last as Record<K, number>)[key] = index;
  }
  (item as Record<K, number>)[key] = -1;
}
