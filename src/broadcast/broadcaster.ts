import { BroadcasterClosedError } from "./errors.js";
import {
  type BroadcasterOptions,
  DEFAULT_QUEUE_OPTIONS,
  type ResolvedQueueOptions,
  resolveQueueOptions,
  type SubscribeOptions,
} from "./options.js";
import { type Subscription, SubscriptionImpl } from "./subscription.js";

/**
 * Fans every submitted value out to every current subscriber.
 *
 * `submit` is synchronous and never waits for a subscriber: each subscriber has
 * its own bounded queue, and a full queue triggers that subscriber's overflow
 * policy without affecting anyone else.
 */
export class Broadcaster<T> {
  readonly #defaults: ResolvedQueueOptions;
  readonly #onIdle: (() => void) | undefined;
  #subscribers: SubscriptionImpl<T>[] = [];
  #closed = false;
  #submitting = false;
  #leftDuringSubmit = false;
  readonly #detach = (subscription: SubscriptionImpl<T>): void => this.#remove(subscription);

  constructor(options?: BroadcasterOptions) {
    this.#defaults = resolveQueueOptions(options, DEFAULT_QUEUE_OPTIONS);
    this.#onIdle = options?.onIdle;
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
    const subscription = new SubscriptionImpl<T>(queue, this.#detach, signal?.aborted ? undefined : signal);
    if (signal?.aborted) {
      subscription.unsubscribe();
      return subscription;
    }
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
    const subscribers = this.#subscribers;
    let reached = 0;
    this.#submitting = true;
    // Backwards, so a subscriber removed mid-loop swaps in one already visited.
    for (let i = subscribers.length - 1; i >= 0; i--) {
      if ((subscribers[i] as SubscriptionImpl<T>).push(value)) reached++;
    }
    this.#submitting = false;
    if (this.#leftDuringSubmit) {
      this.#leftDuringSubmit = false;
      if (subscribers.length === 0) this.#onIdle?.();
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
    for (const subscription of subscribers) {
      subscription.slot = -1;
      subscription.drainAndEnd();
    }
    if (subscribers.length > 0) this.#onIdle?.();
  }

  #remove(subscription: SubscriptionImpl<T>): void {
    const slot = subscription.slot;
    if (slot < 0) return;
    const subscribers = this.#subscribers;
    const last = subscribers.pop() as SubscriptionImpl<T>;
    if (last !== subscription) {
      subscribers[slot] = last;
      last.slot = slot;
    }
    subscription.slot = -1;
    if (subscribers.length > 0) return;
    if (this.#submitting) this.#leftDuringSubmit = true;
    else this.#onIdle?.();
  }
}
