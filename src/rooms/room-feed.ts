import { Broadcaster } from "../broadcast/index.js";
import type { Message } from "./events.js";
import type { RoomEntry } from "./room-entry.js";
import type { BusEvent, BusSubscription, RoomStore } from "./store.js";

export interface RoomFeedOptions {
  /** Entries a listener may have queued; past it the listener fails with `ListenerEvictedError`. */
  readonly queueSize: number;
  /** Messages read per catch-up round trip. */
  readonly catchUpLimit: number;
  /** The feed lost its last listener. */
  readonly onIdle: () => void;
  /** The feed ended (room deleted or feed closed). */
  readonly onClosed: () => void;
  /** A live message came past the next expected offset (`detected`), and history supplied the gap (`filled`). */
  readonly onGap: (stage: "detected" | "filled") => void;
  /** Listeners were ended with `HistoryLostError`. */
  readonly onLost: (listeners: number) => void;
}

type MessageBusEvent = Extract<BusEvent, { type: "message" }>;

/**
 * This process's view of one room: a subscription to the room's bus and a
 * local fan-out to its listeners here. It delivers messages in offset order
 * with no gap and no duplicate: a message past the next expected offset (the
 * bus lost some) triggers a catch-up read from the store; when history can no
 * longer fill the gap, or the room's epoch changed under it, every listener is
 * ended with `HistoryLostError` (resumable) and the feed starts over at the
 * store's position. Events of another epoch (a room's earlier life) are never
 * delivered.
 */
export class RoomFeed {
  readonly roomId: string;
  readonly broadcaster: Broadcaster<RoomEntry>;
  readonly #store: RoomStore;
  readonly #options: RoomFeedOptions;
  #bus: BusSubscription | undefined;
  /** Undefined until an open told the feed the room's position. */
  #epoch: string | undefined;
  #delivered = 0;
  /** Bus events that came before the position was known, or during a catch-up. */
  #held: BusEvent[] = [];
  #catchUp: Promise<void> | undefined;
  /** Bumped whenever the position is reset, so a catch-up started before is ignored. */
  #generation = 0;
  #deliveredSinceCheck = false;
  #gapOpen = false;
  #closed = false;

  private constructor(store: RoomStore, roomId: string, options: RoomFeedOptions) {
    this.#store = store;
    this.roomId = roomId;
    this.#options = options;
    this.broadcaster = new Broadcaster<RoomEntry>({
      queueSize: options.queueSize,
      overflow: "error",
      onIdle: options.onIdle,
    });
  }

  /** Subscribes to the room's bus; resolves once the subscription is in place. */
  static async open(store: RoomStore, roomId: string, options: RoomFeedOptions): Promise<RoomFeed> {
    const feed = new RoomFeed(store, roomId, options);
    feed.#bus = await store.subscribe(roomId, (event) => feed.#onBus(event));
    return feed;
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /**
   * The room's position as an open just learned it from the store. The first
   * one sets where live delivery starts; a different epoch later means the
   * feed missed the change (a lost `deleted`, a store restart): start over.
   */
  align(epoch: string, lastOffset: number): void {
    if (this.#epoch === undefined) {
      this.#epoch = epoch;
      this.#delivered = lastOffset;
      this.#releaseHeld();
    } else if (epoch !== this.#epoch) {
      this.#reset(epoch, lastOffset);
    }
  }

  /**
   * The periodic position check: a feed that delivered nothing since the last
   * check reads the store, in case the bus silently lost the room's latest messages.
   */
  check(): void {
    if (!this.#deliveredSinceCheck) void this.catchUp();
    this.#deliveredSinceCheck = false;
  }

  /** Reads what the store has after the last delivered offset and delivers it. */
  catchUp(): Promise<void> {
    if (this.#closed || this.#epoch === undefined) return Promise.resolve();
    this.#catchUp ??= this.#readUntilCaughtUp().finally(() => {
      this.#catchUp = undefined;
      this.#releaseHeld();
    });
    return this.#catchUp;
  }

  /** Ends every listener normally and leaves the room's bus. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.broadcaster.close();
    this.#options.onClosed();
    await this.#bus?.unsubscribe().catch(() => undefined);
  }

  #onBus(event: BusEvent): void {
    if (this.#closed) return;
    if (event.type === "resync") {
      void this.catchUp();
      return;
    }
    if (this.#epoch === undefined || (this.#catchUp !== undefined && event.type === "message")) {
      // Bounded: past the limit, the catch-up read finds them in the store.
      if (this.#held.length < this.#options.catchUpLimit) this.#held.push(event);
      return;
    }
    if (event.epoch !== this.#epoch) {
      // A late event of the room's earlier life, or a sign that this feed
      // missed an epoch change: the store tells which.
      void this.catchUp();
      return;
    }
    switch (event.type) {
      case "message":
        this.#take(event);
        return;
      case "joined":
      case "left":
        this.broadcaster.submit({
          kind: "presence",
          event: { type: event.type, roomId: event.roomId, userId: event.userId },
        });
        return;
      case "deleted":
        this.broadcaster.submit({ kind: "deleted", event: { type: "deleted", roomId: event.roomId } });
        void this.close();
        return;
    }
  }

  #take(event: MessageBusEvent): void {
    if (event.offset <= this.#delivered) return;
    if (event.offset === this.#delivered + 1) {
      this.#deliver(event.message);
      return;
    }
    if (!this.#gapOpen) this.#options.onGap("detected");
    this.#gapOpen = true;
    this.#held.push(event);
    void this.catchUp();
  }

  #deliver(message: Message): void {
    this.#delivered++;
    this.#deliveredSinceCheck = true;
    this.broadcaster.submit({
      kind: "message",
      event: { type: "message", message },
      offset: this.#delivered,
    });
  }

  async #readUntilCaughtUp(): Promise<void> {
    for (;;) {
      const generation = this.#generation;
      const slice = await this.#store
        .read(this.roomId, { afterOffset: this.#delivered, limit: this.#options.catchUpLimit })
        .catch(() => null);
      // Store unreachable: the next position check or resync tries again.
      if (slice === null || this.#closed || generation !== this.#generation) return;
      if (slice === undefined) {
        this.#reset(undefined, 0);
        return;
      }
      if (slice.epoch !== this.#epoch) {
        this.#reset(slice.epoch, slice.lastOffset);
        return;
      }
      if (slice.lastOffset < this.#delivered) {
        // The store went back in time: never reuse the offsets this feed delivered.
        await this.#store.rotateEpoch(this.roomId, slice.epoch).catch(() => undefined);
        this.#reset(undefined, 0);
        return;
      }
      if (slice.firstOffset > this.#delivered + 1) {
        this.#reset(slice.epoch, slice.lastOffset);
        return;
      }
      for (const message of slice.messages) this.#deliver(message);
      if (this.#delivered >= slice.lastOffset || slice.messages.length === 0) {
        if (this.#gapOpen) this.#options.onGap("filled");
        this.#gapOpen = false;
        return;
      }
    }
  }

  /** Ends every current listener with `HistoryLostError` and restarts at the given position. */
  #reset(epoch: string | undefined, lastOffset: number): void {
    this.#generation++;
    this.#held = [];
    this.#gapOpen = false;
    this.#epoch = epoch;
    this.#delivered = lastOffset;
    const listeners = this.broadcaster.subscriberCount;
    if (listeners > 0) {
      this.broadcaster.submit({ kind: "lost" });
      this.#options.onLost(listeners);
    }
  }

  #releaseHeld(): void {
    const held = this.#held;
    this.#held = [];
    for (const event of held) this.#onBus(event);
  }
}
