import type { Subscription } from "../broadcast/index.js";
import type { RoomEvent } from "./events.js";

/** What a room's broadcaster carries: the event, and a message's offset (0 for other events). */
export interface RoomEntry {
  readonly event: RoomEvent;
  readonly offset: number;
}

/**
 * A listener of one room: `ready` first, then the replay after its cursor, then
 * live events; a `deleted` event is the last. Leaving a `for await` loop, `close()`
 * or the open call's `signal` ends it; a listener that falls too far behind
 * fails with `SlowConsumerError` and can resume from the last id it saw.
 */
export interface RoomListener extends AsyncIterableIterator<RoomEvent, undefined, undefined> {
  readonly roomId: string;
  readonly userId: string | undefined;
  next(): Promise<IteratorResult<RoomEvent, undefined>>;
  return(): Promise<IteratorResult<RoomEvent, undefined>>;
  /** Every event available at wake-up (at least one), or `undefined` at the end. */
  nextBatch(): Promise<RoomEvent[] | undefined>;
  close(): void;
  /** Resolves (never rejects) when the listener ends: with the error that ended it, if any. */
  readonly closed: Promise<Error | undefined>;
}

const DONE: IteratorResult<never, undefined> = Object.freeze({ value: undefined, done: true });

export class RoomListenerImpl implements RoomListener {
  readonly roomId: string;
  readonly userId: string | undefined;
  #pending: RoomEvent[];
  /** Live messages up to this offset were already replayed (or precede the stream): drop them. */
  readonly #skipUpTo: number;
  readonly #subscription: Subscription<RoomEntry>;
  #deleted = false;

  constructor(
    roomId: string,
    userId: string | undefined,
    pending: RoomEvent[],
    skipUpTo: number,
    subscription: Subscription<RoomEntry>,
  ) {
    this.roomId = roomId;
    this.userId = userId;
    this.#pending = pending;
    this.#skipUpTo = skipUpTo;
    this.#subscription = subscription;
  }

  get closed(): Promise<Error | undefined> {
    return this.#subscription.closed;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<RoomEvent, undefined>> {
    const queued = this.#pending.shift();
    if (queued !== undefined) return { value: queued, done: false };
    while (!this.#deleted) {
      const result = await this.#subscription.next();
      if (result.done) break;
      const event = this.#accept(result.value);
      if (event !== undefined) return { value: event, done: false };
    }
    return DONE;
  }

  async nextBatch(): Promise<RoomEvent[] | undefined> {
    if (this.#pending.length > 0) {
      const pending = this.#pending;
      this.#pending = [];
      return pending;
    }
    while (!this.#deleted) {
      const entries = await this.#subscription.nextBatch();
      if (entries === undefined) break;
      const events: RoomEvent[] = [];
      for (const entry of entries) {
        const event = this.#accept(entry);
        if (event !== undefined) events.push(event);
        if (this.#deleted) break;
      }
      if (events.length > 0) return events;
    }
    return undefined;
  }

  async return(): Promise<IteratorResult<RoomEvent, undefined>> {
    this.close();
    return DONE;
  }

  close(): void {
    this.#pending = [];
    this.#subscription.unsubscribe();
  }

  #accept(entry: RoomEntry): RoomEvent | undefined {
    if (entry.offset !== 0 && entry.offset <= this.#skipUpTo) return undefined;
    if (entry.event.type === "deleted") {
      this.#deleted = true;
      this.#subscription.unsubscribe();
    }
    return entry.event;
  }
}
