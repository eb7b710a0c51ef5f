import type { BusEvent, BusSubscription } from "./store.js";

export type BusHandler = (event: BusEvent) => void;

/** One shared subscription to a bus channel, and the handlers that use it. */
export interface BusChannel {
  readonly handlers: Set<BusHandler>;
  /** Settles once the bus acknowledged the subscription (SUBSCRIBE, LISTEN). */
  ready: Promise<unknown>;
}

/**
 * The bookkeeping every store's bus needs, for store implementers: one
 * channel per key while at least one handler wants it, opened by the first
 * subscription and closed by the last unsubscribe. A subscription counts
 * once the channel is acknowledged; a failed one leaves nothing behind, and
 * the same function subscribed twice is two subscriptions.
 */
export class BusChannels<C extends BusChannel> {
  readonly #channels = new Map<string, C>();
  readonly #close: (key: string) => Promise<unknown>;

  /** `close` unsubscribes from the bus once a channel's last handler left. */
  constructor(close: (key: string) => Promise<unknown>) {
    this.#close = close;
  }

  get(key: string): C | undefined {
    return this.#channels.get(key);
  }

  entries(): IterableIterator<[string, C]> {
    return this.#channels.entries();
  }

  /** Adds `handler` to the channel at `key`, opened with `open` when no one else holds it. */
  async subscribe(key: string, handler: BusHandler, open: () => C): Promise<BusSubscription> {
    let channel = this.#channels.get(key);
    if (channel === undefined) {
      channel = open();
      this.#channels.set(key, channel);
    }
    const current = channel;
    try {
      await current.ready;
    } catch (error) {
      if (this.#channels.get(key) === current && current.handlers.size === 0) this.#channels.delete(key);
      throw error;
    }
    const entry: BusHandler = (event) => handler(event);
    current.handlers.add(entry);
    return {
      unsubscribe: async () => {
        if (!current.handlers.delete(entry) || current.handlers.size > 0) return;
        if (this.#channels.get(key) === current) this.#channels.delete(key);
        await this.#close(key).catch(() => undefined);
      },
    };
  }
}
