import { SlowConsumerError, type Subscription } from "../broadcast/index.js";
import { HistoryLostError, ListenerEvictedError } from "./errors.js";
import type { RoomEvent } from "./events.js";
import type { ReplayPages } from "./replay-pages.js";
import type { RoomEntry } from "./room-entry.js";

/**
 * A listener of one room: `ready` first, then the replay after its cursor, then
 * live events; a `deleted` event is the last. Leaving a `for await` loop, `close()`
 * or the open call's `signal` ends it; a listener that falls too far behind
 * fails with `ListenerEvictedError`, one whose room lost history it had not yet
 * seen fails with `HistoryLostError`; both can resume from the last id they saw.
 * A listener never sees presence events about its own user (it is a member
 * for as long as it is open).
 */
export interface RoomListener extends AsyncIterableIterator<RoomEvent, undefined, undefined> {
  readonly roomId: string;
  readonly userId: string | undefined;
  next(): Promise<IteratorResult<RoomEvent, undefined>>;
  return(): Promise<IteratorResult<RoomEvent, undefined>>;
  /** Every event available at wake-up (at least one), or `undefined` at the end. */
  nextBatch(): Promise<RoomEvent[] | undefined>;
  /**
   * Push mode, the broadcast library's `consume()` for rooms: `sink` gets the
   * same events in the same order (`ready`, the replay, then live), a batch per
   * burst, with no promise per event; `closed` tells the end and why. `pause()`
   * while the consumer cannot take more (events queue within the bound),
   * `resume()` to go on. After `consume()`, `next()`/`nextBatch()` reject.
   */
  consume(sink: (events: readonly RoomEvent[]) => void): void;
  pause(): void;
  resume(): void;
  close(): void;
  /** Resolves (never rejects) when the listener ends: with the error that ended it, if any. */
  readonly closed: Promise<Error | undefined>;
}

const DONE: IteratorResult<never, undefined> = Object.freeze({ value: undefined, done: true });

/** What a listener starts with: `ready` and the first replay page, and where the replay goes on. */
export interface ListenerStart {
  readonly roomId: string;
  readonly userId: string | undefined;
  readonly pending: RoomEvent[];
  /** Live messages up to this offset are replayed (or precede the stream): drop them. */
  readonly skipUpTo: number;
  /** The replay's further pages, when the first did not reach `skipUpTo`. */
  readonly replay?: ReplayPages | undefined;
  /** The listener's bound: a replay page never makes it hold more events than this. */
  readonly queueSize: number;
}

export class RoomListenerImpl implements RoomListener {
  readonly roomId: string;
  readonly userId: string | undefined;
  #pending: RoomEvent[];
  readonly #skipUpTo: number;
  #replay: ReplayPages | undefined;
  readonly #queueSize: number;
  readonly #subscription: Subscription<RoomEntry>;
  readonly #closed: Promise<Error | undefined>;
  #subscriptionEnded = false;
  #deleted = false;
  /** What ended the listener from the rooms side: lost history, or a replay page that failed. */
  #failure: Error | undefined;
  #evicted: ListenerEvictedError | undefined;
  /** Push mode: the consumer, and while it is paused, what `resume()` settles. */
  #sink: ((events: readonly RoomEvent[]) => void) | undefined;
  #paused: Promise<void> | undefined;
  #wakeOnResume: (() => void) | undefined;

  constructor(start: ListenerStart, subscription: Subscription<RoomEntry>) {
    this.roomId = start.roomId;
    this.userId = start.userId;
    this.#pending = start.pending;
    this.#skipUpTo = start.skipUpTo;
    this.#replay = start.replay;
    this.#queueSize = start.queueSize;
    this.#subscription = subscription;
    this.#closed = subscription.closed.then((error) => {
      this.#subscriptionEnded = true;
      return this.#failure ?? this.#roomError(error);
    });
  }

  get closed(): Promise<Error | undefined> {
    return this.#closed;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<RoomEvent, undefined>> {
    if (this.#sink !== undefined) throw consumedBySink();
    if (this.#needsReplayPage()) await this.#readReplayPage();
    const queued = this.#pending.shift();
    if (queued !== undefined) return { value: queued, done: false };
    while (!this.#deleted) {
      if (this.#failure !== undefined) throw this.#failure;
      const result = await this.#subscription.next().catch((error: unknown) => this.#rethrow(error));
      if (result.done) break;
      const event = this.#accept(result.value);
      if (event !== undefined) return { value: event, done: false };
    }
    return DONE;
  }

  async nextBatch(): Promise<RoomEvent[] | undefined> {
    if (this.#sink !== undefined) throw consumedBySink();
    if (this.#needsReplayPage()) await this.#readReplayPage();
    if (this.#pending.length > 0) {
      const pending = this.#pending;
      this.#pending = [];
      return pending;
    }
    while (!this.#deleted) {
      if (this.#failure !== undefined) throw this.#failure;
      const entries = await this.#subscription.nextBatch().catch((error: unknown) => this.#rethrow(error));
      if (entries === undefined) break;
      const events: RoomEvent[] = [];
      for (const entry of entries) {
        const event = this.#accept(entry);
        if (event !== undefined) events.push(event);
        if (this.#deleted || this.#failure !== undefined) break;
      }
      // What arrived before the loss is delivered first; the next call throws.
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
    this.#replay = undefined;
    this.#subscription.unsubscribe();
    this.#wakeOnResume?.();
  }

  consume(sink: (events: readonly RoomEvent[]) => void): void {
    if (this.#sink !== undefined) throw new TypeError("this listener already has a sink");
    this.#sink = sink;
    void this.#feedReplayThenLive(sink);
  }

  pause(): void {
    if (this.#sink === undefined || this.#paused !== undefined) return;
    this.#paused = new Promise((resolve) => {
      this.#wakeOnResume = resolve;
    });
    this.#subscription.pause();
  }

  resume(): void {
    if (this.#paused === undefined) return;
    this.#paused = undefined;
    this.#subscription.resume();
    this.#wakeOnResume?.();
  }

  /** Push mode: `ready` and the replay page by page (honouring pauses), then the live subscription. */
  async #feedReplayThenLive(sink: (events: readonly RoomEvent[]) => void): Promise<void> {
    while (this.#pending.length > 0 || this.#replay !== undefined) {
      if (this.#needsReplayPage()) await this.#readReplayPage();
      if (this.#subscriptionEnded || this.#failure !== undefined) return;
      const events = this.#pending;
      this.#pending = [];
      try {
        if (events.length > 0) sink(events);
      } catch (error) {
        // As the live phase does: a sink that throws ends the listener with that error.
        this.#failure = error instanceof Error ? error : new Error(String(error));
        this.#subscription.unsubscribe();
        return;
      }
      if (this.#paused !== undefined) await this.#paused;
    }
    if (this.#subscriptionEnded) return;
    this.#subscription.consume((entries) => {
      const events: RoomEvent[] = [];
      for (const entry of entries) {
        const event = this.#accept(entry);
        if (event !== undefined) events.push(event);
        if (this.#deleted || this.#failure !== undefined) break;
      }
      if (events.length > 0) sink(events);
    });
    if (this.#paused !== undefined) this.#subscription.pause();
  }

  #needsReplayPage(): boolean {
    return this.#pending.length === 0 && this.#replay !== undefined;
  }

  /** The replay's next page, sized so that it and the live events queued meanwhile stay within the bound. */
  async #readReplayPage(): Promise<void> {
    const replay = this.#replay;
    if (replay === undefined) return;
    try {
      const messages = await replay.next(Math.max(1, this.#queueSize - this.#subscription.queued));
      if (this.#replay !== replay) return; // closed meanwhile
      if (replay.done) this.#replay = undefined;
      this.#pending = messages.map((message) => ({ type: "message", message }));
    } catch (error) {
      this.#replay = undefined;
      // Ended meanwhile (closed, or the manager shut down): end as the subscription does.
      if (this.#subscriptionEnded) return;
      this.#failure = error instanceof Error ? error : new Error(String(error));
      this.#subscription.unsubscribe();
    }
  }

  /** The broadcast library's eviction, in the rooms module's terms (one code on every transport). */
  #roomError(error: Error | undefined): Error | undefined {
    if (!(error instanceof SlowConsumerError)) return error;
    this.#evicted ??= new ListenerEvictedError(this.roomId, error.queueSize, { cause: error });
    return this.#evicted;
  }

  /** A method, not an arrow field: push-mode listeners (most) would each carry a closure they never use. */
  #rethrow(error: unknown): never {
    throw error instanceof Error ? this.#roomError(error) : error;
  }

  #accept(entry: RoomEntry): RoomEvent | undefined {
    switch (entry.kind) {
      case "message":
        return entry.offset <= this.#skipUpTo ? undefined : entry.event;
      case "presence":
        return entry.event.userId === this.userId ? undefined : entry.event;
      case "deleted":
        this.#deleted = true;
        this.#subscription.unsubscribe();
        return entry.event;
      case "lost":
        this.#failure = new HistoryLostError(this.roomId);
        this.#subscription.unsubscribe();
        return undefined;
    }
  }
}

function consumedBySink(): TypeError {
  return new TypeError("this listener is consumed by a sink (consume())");
}
