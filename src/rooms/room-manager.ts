import { Broadcaster, type Subscription } from "../broadcast/index.js";
import { formatMessageId, parseCursor } from "./cursor.js";
import { RoomManagerClosedError, RoomNotFoundError } from "./errors.js";
import type { Message, RoomEvent, RoomInfo } from "./events.js";
import { type RoomEntry, type RoomListener, RoomListenerImpl } from "./listener.js";
import { MemoryRoomStore } from "./memory-store.js";
import { generateRoomName } from "./room-names.js";
import { SerialQueue } from "./serial-queue.js";
import type { BusEvent, RoomStore } from "./store.js";
import { validateLimit, validateRoomId, validateText, validateUserId } from "./validate.js";

export interface RoomManagerOptions {
  /** Where rooms live. @default a MemoryRoomStore with `historyLimit` and `maxRooms` */
  readonly store?: RoomStore;
  /** Messages kept per room (also the largest history page). @default 1000 */
  readonly historyLimit?: number;
  /** Largest message text, in UTF-8 bytes. @default 4096 */
  readonly maxMessageBytes?: number;
  /** Rooms held at once by the default store. @default 10000 */
  readonly maxRooms?: number;
  /**
   * Events a listener may have queued and not yet consumed; past it the
   * listener fails with `SlowConsumerError` and can resume from its last id.
   * @default 1024
   */
  readonly listenerQueueSize?: number;
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

/** Counters for observability, monotonically increasing. */
export interface RoomManagerStats {
  readonly messagesAccepted: number;
  readonly listenersOpened: number;
}

const DEFAULT_PAGE = 100;

/**
 * Owns the rooms: history, resume, presence and live fan-out. Every operation
 * runs through one ordered queue, so accepted order is stored order is
 * delivered order. Inputs are validated here; failures are `RoomError`s.
 */
export class RoomManager {
  readonly #store: RoomStore;
  readonly #ownsStore: boolean;
  readonly #historyLimit: number;
  readonly #maxMessageBytes: number;
  readonly #listenerQueueSize: number;
  readonly #queue = new SerialQueue();
  /** This process's fan-out per room with listeners here. */
  readonly #local = new Map<string, Broadcaster<RoomEntry>>();
  readonly #unsubscribeBus: () => void;
  #closed = false;
  #messagesAccepted = 0;
  #listenersOpened = 0;

  constructor(options?: RoomManagerOptions) {
    this.#historyLimit = options?.historyLimit ?? 1000;
    this.#maxMessageBytes = options?.maxMessageBytes ?? 4096;
    this.#listenerQueueSize = options?.listenerQueueSize ?? 1024;
    this.#ownsStore = options?.store === undefined;
    this.#store =
      options?.store ??
      new MemoryRoomStore({
        historyLimit: this.#historyLimit,
        ...(options?.maxRooms === undefined ? {} : { maxRooms: options.maxRooms }),
      });
    this.#unsubscribeBus = this.#store.subscribe((event) => this.#fanOut(event));
  }

  get maxMessageBytes(): number {
    return this.#maxMessageBytes;
  }

  get historyLimit(): number {
    return this.#historyLimit;
  }

  get stats(): RoomManagerStats {
    return { messagesAccepted: this.#messagesAccepted, listenersOpened: this.#listenersOpened };
  }

  /** Listeners open in this process, over all rooms. */
  get localListenerCount(): number {
    let count = 0;
    for (const broadcaster of this.#local.values()) count += broadcaster.subscriberCount;
    return count;
  }

  /**
   * Opens a listener (creating the room if needed). Its first event is `ready`.
   * @throws ValidationError for a bad room id, user id or cursor.
   */
  openListener(roomId: string, options?: OpenListenerOptions): Promise<RoomListener> {
    return this.#run(async () => {
      validateRoomId(roomId);
      const userId = options?.userId === undefined ? undefined : validateUserId(options.userId);
      const cursor = options?.since === undefined ? undefined : parseCursor(options.since);
      // Aborted while queued (a client gone before its stream opened): an ended
      // listener, with no presence and no fan-out left behind.
      if (options?.signal?.aborted) return new RoomListenerImpl(roomId, userId, [], 0, endedSubscription());

      const epoch = await this.#store.addListener(roomId, userId);
      const subscription = this.#localRoom(roomId).subscribe(
        options?.signal === undefined ? undefined : { signal: options.signal },
      );
      this.#listenersOpened++;
      void subscription.closed.then(() => this.#release(roomId, userId, epoch));

      let slice = await this.#store.read(roomId, {
        ...(cursor === undefined
          ? { limit: 1, latest: true }
          : { afterOffset: cursor.offset, limit: this.#historyLimit }),
      });
      if (cursor !== undefined && slice !== undefined && slice.epoch !== cursor.epoch) {
        slice = await this.#store.read(roomId, { limit: this.#historyLimit });
      }
      const room = await this.#store.getRoom(roomId);
      const lastOffset = slice?.lastOffset ?? 0;
      const replay = cursor === undefined ? [] : (slice?.messages ?? []);
      const recovered =
        cursor === undefined
          ? null
          : slice !== undefined &&
            slice.epoch === cursor.epoch &&
            cursor.offset >= slice.firstOffset - 1 &&
            cursor.offset <= slice.lastOffset;
      const ready: RoomEvent = {
        type: "ready",
        roomId,
        members: room?.members ?? [],
        lastId: slice !== undefined && lastOffset > 0 ? formatMessageId(slice.epoch, lastOffset) : null,
        recovered,
      };
      const pending: RoomEvent[] = [ready];
      for (const message of replay) pending.push({ type: "message", message });
      return new RoomListenerImpl(roomId, userId, pending, lastOffset, subscription);
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
    return this.#run(async () => {
      const roomId = validateRoomId(input?.roomId);
      const userId = validateUserId(input.userId);
      const text = validateText(input.text, this.#maxMessageBytes);
      const message = await this.#store.append({ roomId, userId, text, sentAt: new Date().toISOString() });
      this.#messagesAccepted++;
      return message;
    });
  }

  /**
   * Ends every listener of the room with a `deleted` event and drops its history.
   * @throws RoomNotFoundError
   */
  deleteRoom(roomId: string): Promise<void> {
    return this.#run(async () => {
      validateRoomId(roomId);
      if (!(await this.#store.deleteRoom(roomId))) throw new RoomNotFoundError(roomId);
    });
  }

  /** @throws RoomNotFoundError */
  getRoom(roomId: string): Promise<RoomInfo> {
    return this.#run(async () => {
      validateRoomId(roomId);
      const room = await this.#store.getRoom(roomId);
      if (room === undefined) throw new RoomNotFoundError(roomId);
      return room;
    });
  }

  /** Every room, sorted by id. */
  listRooms(): Promise<RoomInfo[]> {
    return this.#run(async () => {
      const rooms = await this.#store.listRooms();
      return rooms.sort((a, b) => (a.roomId < b.roomId ? -1 : a.roomId > b.roomId ? 1 : 0));
    });
  }

  /** Creates a room with a generated id and a friendly name. */
  createRoom(): Promise<RoomInfo> {
    return this.#run(async () => {
      const { roomId, name } = generateRoomName();
      return this.#store.ensureRoom(roomId, name);
    });
  }

  /**
   * Stored messages, oldest first: the latest `limit`, or with `since` the
   * first `limit` after it. A cursor from a lost history pages from the oldest
   * retained message.
   * @throws RoomNotFoundError, ValidationError
   */
  history(roomId: string, options?: HistoryOptions): Promise<Message[]> {
    return this.#run(async () => {
      validateRoomId(roomId);
      const limit =
        options?.limit === undefined ? DEFAULT_PAGE : validateLimit(options.limit, this.#historyLimit);
      const cursor = options?.since === undefined ? undefined : parseCursor(options.since);
      let slice = await this.#store.read(roomId, {
        limit,
        ...(cursor === undefined ? { latest: true } : { afterOffset: cursor.offset }),
      });
      if (slice === undefined) throw new RoomNotFoundError(roomId);
      if (cursor !== undefined && slice.epoch !== cursor.epoch)
        slice = await this.#store.read(roomId, { limit });
      return [...(slice?.messages ?? [])];
    });
  }

  /** Stops accepting work and ends every listener normally (after what it has queued). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const broadcaster of this.#local.values()) broadcaster.close();
    this.#local.clear();
    await this.#queue.idle();
    this.#unsubscribeBus();
    if (this.#ownsStore) await this.#store.close();
  }

  #run<T>(operation: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new RoomManagerClosedError());
    return this.#queue.run(operation);
  }

  #localRoom(roomId: string): Broadcaster<RoomEntry> {
    let broadcaster = this.#local.get(roomId);
    if (broadcaster === undefined) {
      const created = new Broadcaster<RoomEntry>({
        queueSize: this.#listenerQueueSize,
        overflow: "error",
        onIdle: () => {
          if (this.#local.get(roomId) === created) this.#local.delete(roomId);
        },
      });
      broadcaster = created;
      this.#local.set(roomId, broadcaster);
    }
    return broadcaster;
  }

  /** A listener ended: uncount it in the store (presence, reclamation). */
  #release(roomId: string, userId: string | undefined, epoch: string): void {
    // Runs even while closing, so presence in a shared store stays right.
    this.#queue.run(() => this.#store.removeListener(roomId, userId, epoch)).catch(() => undefined);
  }

  #fanOut(event: BusEvent): void {
    const roomId = event.type === "message" ? event.message.roomId : event.roomId;
    const broadcaster = this.#local.get(roomId);
    if (broadcaster === undefined) return;
    if (event.type === "message") {
      broadcaster.submit({ event: { type: "message", message: event.message }, offset: event.offset });
    } else if (event.type === "deleted") {
      broadcaster.submit({ event, offset: 0 });
      broadcaster.close();
      // close() calls onIdle only when it had subscribers: a fan-out whose only
      // listener was opened with an aborted signal would otherwise stay here
      // closed, and the room's next submit or open would throw.
      this.#local.delete(roomId);
    } else {
      broadcaster.submit({ event, offset: 0 });
    }
  }
}

function endedSubscription(): Subscription<RoomEntry> {
  const subscription = new Broadcaster<RoomEntry>().subscribe();
  subscription.unsubscribe();
  return subscription;
}
