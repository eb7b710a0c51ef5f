import { Broadcaster, type Subscription } from "../broadcast/index.js";
import { type Cursor, parseCursor } from "./cursor.js";
import { ROOM_DEFAULTS } from "./defaults.js";
import { RoomManagerClosedError, RoomNotFoundError } from "./errors.js";
import type { Message, RoomEvent, RoomInfo } from "./events.js";
import { KeyedQueue } from "./keyed-queue.js";
import { type RoomListener, RoomListenerImpl } from "./listener.js";
import { MemoryRoomStore, type MemoryStoreStats } from "./memory-store.js";
import { positiveInteger } from "./option-checks.js";
import { ReplayPages } from "./replay-pages.js";
import { isAheadOfHistory, planResume, recoveredAfter } from "./resume.js";
import type { RoomEntry } from "./room-entry.js";
import { RoomFeed } from "./room-feed.js";
import { generateRoomName } from "./room-names.js";
import type { HistorySlice, OpenedListener, RoomStore } from "./store.js";
import { validateLimit, validateRoomId, validateText, validateUserId } from "./validate.js";

export interface RoomManagerOptions {
  /** Where rooms live. @default a MemoryRoomStore with `historyLimit` and `maxRooms` */
  readonly store?: RoomStore;
  /** Messages kept per room (also the largest history page). @default 1000 */
  readonly historyLimit?: number;
  /** Largest message text, in UTF-8 bytes. @default 4096 */
  readonly maxMessageBytes?: number;
  /** Rooms held at once by the default store (a RangeError together with `store`). @default 10000 */
  readonly maxRooms?: number;
  /** Bytes of history the default store keeps over all rooms (a RangeError together with `store`). @default 256 MiB */
  readonly historyBytes?: number;
  /**
   * Events a listener may have queued and not yet consumed; past it the
   * listener fails with `ListenerEvictedError` and can resume from its last id.
   * @default 1024
   */
  readonly listenerQueueSize?: number;
  /**
   * How often each room with listeners here, and no delivery since the last
   * check, compares its position with the store (catches a bus that silently
   * lost a room's latest messages), in milliseconds.
   * @default 5000
   */
  readonly positionCheckMs?: number;
}

export interface OpenListenerOptions {
  /** Makes the listener count as this user's presence in the room. */
  readonly userId?: string | undefined;
  /** A message id: replay everything after it before live events. */
  readonly since?: string | undefined;
  /** Aborting it closes the listener. */
  readonly signal?: AbortSignal | undefined;
}

export interface SubmitInput {
  readonly roomId: string;
  readonly userId: string;
  readonly text: string;
}

export interface HistoryOptions {
  /** Page forward: the first `limit` messages after this id. */
  readonly since?: string | undefined;
  /** Without `since`, the latest `limit` messages. @default 100 */
  readonly limit?: number | undefined;
}

/** A page of history, and whether it continues right after the `since` it was asked for. */
export interface HistoryPage {
  /** Oldest first. */
  readonly messages: readonly Message[];
  /**
   * `null` without `since`; `true` when the page starts right after it;
   * `false` when messages may be missing before the page (the cursor is older
   * than the retained history or from a lost one): as `ready.recovered`.
   */
  readonly recovered: boolean | null;
}

/** Counters for observability, monotonically increasing. */
export interface RoomManagerStats {
  readonly messagesAccepted: number;
  readonly listenersOpened: number;
  /** Live messages that arrived past the next expected offset (the bus lost some). */
  readonly gapsDetected: number;
  /** Gaps that a catch-up read from history filled. */
  readonly gapsFilled: number;
  /** Listeners ended with `HistoryLostError`. */
  readonly listenersLost: number;
  /** With the default in-memory store: bytes of history it holds, and messages evicted for the byte bounds. */
  readonly memory?: MemoryStoreStats;
}

const DEFAULT_PAGE = 100;

/**
 * Owns the rooms: history, resume, presence and live fan-out. Operations on
 * one room run through that room's ordered queue, so accepted order is stored
 * order is delivered order; rooms never wait on each other. Inputs are
 * validated before queuing; failures are `RoomError`s.
 */
export class RoomManager {
  readonly #store: RoomStore;
  readonly #ownsStore: boolean;
  readonly #historyLimit: number;
  readonly #maxMessageBytes: number;
  readonly #listenerQueueSize: number;
  readonly #queue = new KeyedQueue();
  /** This process's feed per room with listeners here. */
  readonly #feeds = new Map<string, RoomFeed>();
  readonly #positionCheck: ReturnType<typeof setInterval>;
  #closed = false;
  #stats = { messagesAccepted: 0, listenersOpened: 0, gapsDetected: 0, gapsFilled: 0, listenersLost: 0 };

  constructor(options?: RoomManagerOptions) {
    this.#historyLimit = positiveInteger("historyLimit", options?.historyLimit ?? ROOM_DEFAULTS.historyLimit);
    this.#maxMessageBytes = positiveInteger(
      "maxMessageBytes",
      options?.maxMessageBytes ?? ROOM_DEFAULTS.maxMessageBytes,
    );
    this.#listenerQueueSize = positiveInteger(
      "listenerQueueSize",
      options?.listenerQueueSize ?? ROOM_DEFAULTS.listenerQueueSize,
    );
    const positionCheckMs = positiveInteger(
      "positionCheckMs",
      options?.positionCheckMs ?? ROOM_DEFAULTS.positionCheckMs,
    );
    for (const bound of ["maxRooms", "historyBytes"] as const) {
      if (options?.store !== undefined && options[bound] !== undefined) {
        // Silently ignoring it would leave a bound the caller believes in unenforced.
        throw new RangeError(
          `\`${bound}\` sizes the default in-memory store; with \`store\` given, set the bound on that store`,
        );
      }
    }
    this.#ownsStore = options?.store === undefined;
    this.#store =
      options?.store ??
      new MemoryRoomStore({
        historyLimit: this.#historyLimit,
        ...(options?.maxRooms === undefined ? {} : { maxRooms: options.maxRooms }),
        ...(options?.historyBytes === undefined ? {} : { historyBytes: options.historyBytes }),
      });
    this.#positionCheck = setInterval(() => {
      for (const feed of this.#feeds.values()) feed.check();
    }, positionCheckMs);
    this.#positionCheck.unref();
  }

  get maxMessageBytes(): number {
    return this.#maxMessageBytes;
  }

  get historyLimit(): number {
    return this.#historyLimit;
  }

  get stats(): RoomManagerStats {
    const memory = this.#store instanceof MemoryRoomStore ? { memory: this.#store.stats } : {};
    return { ...this.#stats, ...memory };
  }

  /** True while the manager is open and its store answers. */
  get healthy(): boolean {
    return !this.#closed && this.#store.healthy;
  }

  /** Listeners open in this process, over all rooms. */
  get localListenerCount(): number {
    let count = 0;
    for (const feed of this.#feeds.values()) count += feed.broadcaster.subscriberCount;
    return count;
  }

  /**
   * Opens a listener (creating the room if needed). Its first event is `ready`.
   * @throws ValidationError for a bad room id, user id or cursor.
   */
  openListener(roomId: string, options?: OpenListenerOptions): Promise<RoomListener> {
    return this.#validated(() => {
      validateRoomId(roomId);
      const userId = options?.userId === undefined ? undefined : validateUserId(options.userId);
      const cursor = options?.since === undefined ? undefined : parseCursor(options.since);
      return this.#run(roomId, async () => {
        // Aborted while queued (a client gone before its stream opened): an ended
        // listener, with no presence and no fan-out left behind.
        if (options?.signal?.aborted)
          return new RoomListenerImpl(
            { roomId, userId, pending: [], skipUpTo: 0, queueSize: this.#listenerQueueSize },
            endedSubscription(),
          );
        // A rollback rotates the epoch once; the second open resumes into the new one.
        const opened = await this.#open(roomId, userId, cursor, options?.signal);
        if (opened !== "rolled-back") return opened;
        const again = await this.#open(roomId, userId, cursor, options?.signal);
        if (again === "rolled-back") throw new Error(`room ${roomId}: epoch rotation did not take`);
        return again;
      });
    });
  }

  closeListener(listener: RoomListener): void {
    listener.close();
  }

  /**
   * Stores and broadcasts a message.
   * @throws ValidationError / MessageTooLongError for bad input.
   */
  submit(input: SubmitInput): Promise<Message> {
    return this.#validated(() => {
      const roomId = validateRoomId(input?.roomId);
      const userId = validateUserId(input.userId);
      const text = validateText(input.text, this.#maxMessageBytes);
      return this.#run(roomId, async () => {
        const message = await this.#store.append({ roomId, userId, text, sentAt: new Date().toISOString() });
        this.#stats.messagesAccepted++;
        return message;
      });
    });
  }

  /**
   * Ends every listener of the room with a `deleted` event and drops its history.
   * @throws RoomNotFoundError
   */
  deleteRoom(roomId: string): Promise<void> {
    return this.#validated(() => {
      validateRoomId(roomId);
      return this.#run(roomId, async () => {
        if (!(await this.#store.deleteRoom(roomId))) throw new RoomNotFoundError(roomId);
      });
    });
  }

  /** @throws RoomNotFoundError */
  getRoom(roomId: string): Promise<RoomInfo> {
    return this.#validated(() => {
      validateRoomId(roomId);
      return this.#run(roomId, async () => {
        const room = await this.#store.getRoom(roomId);
        if (room === undefined) throw new RoomNotFoundError(roomId);
        return room;
      });
    });
  }

  /** Every room, sorted by id. */
  async listRooms(): Promise<RoomInfo[]> {
    this.#assertOpen();
    // Sees every operation accepted before it, as the per-room ones do.
    await this.#queue.idle();
    const rooms = await this.#store.listRooms();
    return rooms.sort((a, b) => (a.roomId < b.roomId ? -1 : a.roomId > b.roomId ? 1 : 0));
  }

  /** How many rooms the store holds, without reading them. */
  countRooms(): Promise<number> {
    return this.#store.countRooms();
  }

  /** Creates a room with a generated id and a friendly name. */
  createRoom(): Promise<RoomInfo> {
    const { roomId, name } = generateRoomName();
    return this.#run(roomId, () => this.#store.ensureRoom(roomId, name));
  }

  /**
   * Stored messages, oldest first: the latest `limit`, or with `since` the
   * first `limit` after it. A cursor from a lost history pages from the oldest
   * retained message.
   * @throws RoomNotFoundError, ValidationError
   */
  async history(roomId: string, options?: HistoryOptions): Promise<Message[]> {
    return [...(await this.historyPage(roomId, options)).messages];
  }

  /**
   * `history()`, saying whether the page continues right after `since`.
   * @throws RoomNotFoundError, ValidationError
   */
  historyPage(roomId: string, options?: HistoryOptions): Promise<HistoryPage> {
    return this.#validated(() => {
      validateRoomId(roomId);
      const limit =
        options?.limit === undefined ? DEFAULT_PAGE : validateLimit(options.limit, this.#historyLimit);
      const cursor = options?.since === undefined ? undefined : parseCursor(options.since);
      return this.#run(roomId, async () => {
        let slice = await this.#store.read(roomId, {
          limit,
          ...(cursor === undefined ? { latest: true } : { afterOffset: cursor.offset }),
        });
        if (slice === undefined) throw new RoomNotFoundError(roomId);
        const recovered = recoveredAfter(cursor, slice);
        if (cursor !== undefined && slice.epoch !== cursor.epoch)
          slice = await this.#store.read(roomId, { limit });
        return { messages: slice?.messages ?? [], recovered };
      });
    });
  }

  /** Stops accepting work and ends every listener normally (after what it has queued). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#positionCheck);
    // Queued opens finish first, so none creates a feed after the feeds are closed.
    await this.#queue.idle();
    await Promise.all([...this.#feeds.values()].map((feed) => feed.close()));
    // Listener releases queued by those closes.
    await this.#queue.idle();
    if (this.#ownsStore) await this.#store.close();
  }

  async #open(
    roomId: string,
    userId: string | undefined,
    cursor: Cursor | undefined,
    signal: AbortSignal | undefined,
  ): Promise<RoomListener | "rolled-back"> {
    const feed = await this.#feed(roomId);
    const opened = await this.#store.openListener(roomId, userId);
    feed.align(opened.epoch, opened.lastOffset);
    // Subscribed before reading history: everything after the read arrives live.
    const subscription = feed.broadcaster.subscribe(signal === undefined ? undefined : { signal });
    this.#stats.listenersOpened++;
    this.#releaseWhenClosed(subscription, roomId, opened.listenerId);
    const slice = await this.#readAfter(roomId, cursor, opened);
    if (isAheadOfHistory(cursor, slice)) {
      // The store's history went back in time: a new epoch, so no offset is reused.
      subscription.unsubscribe();
      await this.#store.rotateEpoch(roomId, slice.epoch);
      return "rolled-back";
    }
    const plan = planResume(roomId, opened.members, cursor, slice);
    const pending: RoomEvent[] = [plan.ready];
    for (const message of plan.replay) pending.push({ type: "message", message });
    const lastReplayed = plan.replay.at(-1);
    const replayedUpTo = lastReplayed === undefined ? plan.skipUpTo : parseCursor(lastReplayed.id).offset;
    const replay =
      replayedUpTo < plan.skipUpTo
        ? new ReplayPages(roomId, slice.epoch, replayedUpTo, plan.skipUpTo, (afterOffset, limit) =>
            this.#store.read(roomId, { afterOffset, limit }),
          )
        : undefined;
    const start = {
      roomId,
      userId,
      pending,
      skipUpTo: plan.skipUpTo,
      replay,
      queueSize: this.#listenerQueueSize,
    };
    return new RoomListenerImpl(start, subscription);
  }

  /** The first replay page: with `ready`, within the listener's bound (later pages follow as it drains). */
  get #firstReplayPage(): number {
    return Math.max(1, Math.min(this.#historyLimit, this.#listenerQueueSize - 1));
  }

  /** History after the cursor (from the oldest retained for another epoch's), or just the position. */
  async #readAfter(
    roomId: string,
    cursor: Cursor | undefined,
    opened: OpenedListener,
  ): Promise<HistorySlice> {
    let slice = await this.#store.read(
      roomId,
      cursor === undefined
        ? { limit: 1, latest: true }
        : { afterOffset: cursor.offset, limit: this.#firstReplayPage },
    );
    if (cursor !== undefined && slice !== undefined && slice.epoch !== cursor.epoch) {
      slice = await this.#store.read(roomId, { limit: this.#firstReplayPage });
    }
    // Deleted meanwhile: the feed delivers `deleted`; the position is the open's.
    return (
      slice ?? {
        epoch: opened.epoch,
        messages: [],
        firstOffset: opened.lastOffset + 1,
        lastOffset: opened.lastOffset,
      }
    );
  }

  /** The room's feed, subscribed to its bus. Runs in the room's queue. */
  async #feed(roomId: string): Promise<RoomFeed> {
    const existing = this.#feeds.get(roomId);
    if (existing !== undefined && !existing.isClosed) return existing;
    const feed = await RoomFeed.open(this.#store, roomId, {
      queueSize: this.#listenerQueueSize,
      catchUpLimit: this.#historyLimit,
      onIdle: () => this.#closeIfIdle(roomId, feed),
      onClosed: () => {
        if (this.#feeds.get(roomId) === feed) this.#feeds.delete(roomId);
      },
      onGap: (stage) => {
        if (stage === "detected") this.#stats.gapsDetected++;
        else this.#stats.gapsFilled++;
      },
      onLost: (listeners) => {
        this.#stats.listenersLost += listeners;
      },
    });
    this.#feeds.set(roomId, feed);
    return feed;
  }

  /** The feed lost its last listener: leave the room's bus, unless an open queued meanwhile subscribed. */
  #closeIfIdle(roomId: string, feed: RoomFeed): void {
    this.#queue
      .run(roomId, async () => {
        if (feed.broadcaster.subscriberCount === 0) await feed.close();
      })
      .catch(() => undefined);
  }

  /**
   * When the listener ends, uncount it in the store (presence, reclamation).
   * Not a closure in `#open`: that would keep all `#open` saw (the members at
   * the open, O(members) each) for the listener's life.
   */
  #releaseWhenClosed(subscription: Subscription<RoomEntry>, roomId: string, listenerId: string): void {
    // Runs even while closing, so presence in a shared store stays right.
    void subscription.closed.then(() =>
      this.#queue.run(roomId, () => this.#store.closeListener(roomId, listenerId)).catch(() => undefined),
    );
  }

  #assertOpen(): void {
    if (this.#closed) throw new RoomManagerClosedError();
  }

  /** Validates synchronously (errors become a rejected promise), then queues. */
  #validated<T>(queue: () => Promise<T>): Promise<T> {
    try {
      this.#assertOpen();
      return queue();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #run<T>(roomId: string, operation: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new RoomManagerClosedError());
    return this.#queue.run(roomId, operation);
  }
}

function endedSubscription(): Subscription<RoomEntry> {
  const subscription = new Broadcaster<RoomEntry>().subscribe();
  subscription.unsubscribe();
  return subscription;
}
