import { formatMessageId } from "./cursor.js";
import { ROOM_DEFAULTS } from "./defaults.js";
import { newEpoch } from "./epoch.js";
import { TooManyRoomsError } from "./errors.js";
import type { Message, RoomInfo } from "./events.js";
import { MessageHistory, retainedBytes } from "./history.js";
import { OldestFirst } from "./oldest-first.js";
import { positiveInteger } from "./option-checks.js";
import { Presence } from "./presence.js";
import type {
  BusEvent,
  BusSubscription,
  HistoryQuery,
  HistorySlice,
  MessageDraft,
  OpenedListener,
  RoomStore,
} from "./store.js";

export interface MemoryStoreOptions {
  /**
   * Messages kept per room.
   * @default 1000
   */
  readonly historyLimit?: number;
  /**
   * Rooms held at once. At the limit, rooms with no messages and no listeners
   * are dropped first; if none can be, creating a room fails.
   * @default 10000
   */
  readonly maxRooms?: number;
  /**
   * Bytes of history kept over all rooms (texts and user ids in UTF-8, plus
   * 128 per message); past it the oldest messages of all rooms go first.
   * @default 268435456 (256 MiB)
   */
  readonly historyBytes?: number;
  /** Bytes of history kept per room; past it the room's oldest messages go. @default 33554432 (32 MiB) */
  readonly roomHistoryBytes?: number;
}

/** What the store holds, for metrics. */
export interface MemoryStoreStats {
  readonly retainedBytes: number;
  /** Messages dropped to stay within `historyBytes` or `roomHistoryBytes` (not those past `historyLimit`). */
  readonly evictedMessages: number;
}

interface MemoryRoom {
  readonly roomId: string;
  readonly name: string;
  epoch: string;
  readonly createdAt: string;
  history: MessageHistory;
  readonly presence: Presence;
}

/**
 * The embedded default store: one process, nothing to install. A restart
 * loses every history, and new epochs tell resuming clients so. Its bus is
 * synchronous: an event reaches the room's subscribers before the call that
 * caused it resolves.
 */
export class MemoryRoomStore implements RoomStore {
  readonly #historyLimit: number;
  readonly #maxRooms: number;
  readonly #historyBytes: number;
  readonly #roomHistoryBytes: number;
  readonly #rooms = new Map<string, MemoryRoom>();
  /** Rooms by their oldest message, to evict the oldest of all first (entries may be stale: checked on use). */
  readonly #oldest = new OldestFirst();
  #seq = 0;
  #retainedBytes = 0;
  #evictedMessages = 0;
  readonly #subscribers = new Map<string, Set<(event: BusEvent) => void>>();
  /** Listener ids are unique over the store's life, so an old room's ids never match a new one's. */
  #nextListenerId = 1;

  constructor(options?: MemoryStoreOptions) {
    this.#historyLimit = positiveInteger("historyLimit", options?.historyLimit ?? ROOM_DEFAULTS.historyLimit);
    this.#maxRooms = positiveInteger("maxRooms", options?.maxRooms ?? ROOM_DEFAULTS.maxRooms);
    this.#historyBytes = positiveInteger("historyBytes", options?.historyBytes ?? ROOM_DEFAULTS.historyBytes);
    this.#roomHistoryBytes = positiveInteger(
      "roomHistoryBytes",
      options?.roomHistoryBytes ?? ROOM_DEFAULTS.roomHistoryBytes,
    );
  }

  get stats(): MemoryStoreStats {
    return { retainedBytes: this.#retainedBytes, evictedMessages: this.#evictedMessages };
  }

  get healthy(): boolean {
    return true;
  }

  async ensureRoom(roomId: string, name?: string): Promise<RoomInfo> {
    return info(this.#room(roomId, name));
  }

  async append(draft: MessageDraft): Promise<Message> {
    // A room its first message creates was created when that message was sent.
    const room = this.#room(draft.roomId, undefined, draft.sentAt);
    const offset = room.history.lastOffset + 1;
    const message: Message = Object.freeze({
      id: formatMessageId(room.epoch, offset),
      roomId: draft.roomId,
      userId: draft.userId,
      text: draft.text,
      sentAt: draft.sentAt,
    });
    const bytes = retainedBytes(message);
    const wasEmpty = room.history.size === 0;
    const seq = ++this.#seq;
    this.#retainedBytes += bytes - room.history.append(message, seq, bytes);
    if (wasEmpty) this.#oldest.push(seq, room.roomId);
    this.#bound(room);
    this.#publish(room.roomId, { type: "message", epoch: room.epoch, offset, message });
    return message;
  }

  async read(roomId: string, query: HistoryQuery): Promise<HistorySlice | undefined> {
    const room = this.#rooms.get(roomId);
    if (room === undefined) return undefined;
    return {
      epoch: room.epoch,
      messages: room.history.slice(query.afterOffset, query.limit, query.latest ?? false),
      firstOffset: room.history.firstOffset,
      lastOffset: room.history.lastOffset,
    };
  }

  async getRoom(roomId: string): Promise<RoomInfo | undefined> {
    const room = this.#rooms.get(roomId);
    return room === undefined ? undefined : info(room);
  }

  async listRooms(): Promise<RoomInfo[]> {
    return [...this.#rooms.values()].map(info);
  }

  async countRooms(): Promise<number> {
    return this.#rooms.size;
  }

  async deleteRoom(roomId: string): Promise<boolean> {
    const room = this.#rooms.get(roomId);
    if (room === undefined) return false;
    this.#forget(room);
    this.#publish(roomId, { type: "deleted", epoch: room.epoch, roomId });
    return true;
  }

  async openListener(roomId: string, userId: string | undefined): Promise<OpenedListener> {
    const room = this.#room(roomId);
    const listenerId = String(this.#nextListenerId++);
    if (room.presence.add(listenerId, userId) && userId !== undefined) {
      this.#publish(roomId, { type: "joined", epoch: room.epoch, roomId, userId });
    }
    return {
      listenerId,
      epoch: room.epoch,
      lastOffset: room.history.lastOffset,
      members: room.presence.members(),
    };
  }

  async closeListener(roomId: string, listenerId: string): Promise<void> {
    const room = this.#rooms.get(roomId);
    if (room === undefined) return;
    const left = room.presence.remove(listenerId);
    if (left !== undefined) this.#publish(roomId, { type: "left", epoch: room.epoch, roomId, userId: left });
    if (isIdle(room)) this.#forget(room);
  }

  async rotateEpoch(roomId: string, epoch: string): Promise<void> {
    const room = this.#rooms.get(roomId);
    if (room === undefined || room.epoch !== epoch) return;
    room.epoch = newEpoch();
    this.#retainedBytes -= room.history.bytes;
    room.history = new MessageHistory(this.#historyLimit);
  }

  async subscribe(roomId: string, onEvent: (event: BusEvent) => void): Promise<BusSubscription> {
    let subscribers = this.#subscribers.get(roomId);
    if (subscribers === undefined) {
      subscribers = new Set();
      this.#subscribers.set(roomId, subscribers);
    }
    // One entry per call, so the same function subscribed twice is two subscriptions.
    const entry = (event: BusEvent) => onEvent(event);
    subscribers.add(entry);
    return {
      unsubscribe: async () => {
        const current = this.#subscribers.get(roomId);
        if (current === undefined) return;
        current.delete(entry);
        if (current.size === 0) this.#subscribers.delete(roomId);
      },
    };
  }

  async close(): Promise<void> {
    this.#subscribers.clear();
  }

  #publish(roomId: string, event: BusEvent): void {
    const subscribers = this.#subscribers.get(roomId);
    if (subscribers === undefined) return;
    for (const subscriber of [...subscribers]) subscriber(event);
  }

  #room(roomId: string, name?: string, createdAt = new Date().toISOString()): MemoryRoom {
    const existing = this.#rooms.get(roomId);
    if (existing !== undefined) return existing;
    if (this.#rooms.size >= this.#maxRooms) this.#dropIdleRooms();
    const room: MemoryRoom = {
      roomId,
      name: name ?? roomId,
      epoch: newEpoch(),
      createdAt,
      history: new MessageHistory(this.#historyLimit),
      presence: new Presence(),
    };
    this.#rooms.set(roomId, room);
    return room;
  }

  /** Keeps the room within its byte bound, then all rooms within theirs, oldest messages first. */
  #bound(room: MemoryRoom): void {
    while (room.history.bytes > this.#roomHistoryBytes && room.history.size > 1) this.#evict(room);
    while (this.#retainedBytes > this.#historyBytes) {
      const entry = this.#oldest.pop();
      if (entry === undefined) return;
      const owner = this.#rooms.get(entry.roomId);
      const first = owner?.history.firstSeq;
      if (owner === undefined || first === undefined) continue;
      // A stale entry (the room's oldest went by count, or the room was recreated): file it again.
      if (first === entry.seq) this.#evict(owner);
      const next = owner.history.firstSeq;
      if (next !== undefined) this.#oldest.push(next, owner.roomId);
    }
  }

  #evict(room: MemoryRoom): void {
    this.#retainedBytes -= room.history.dropOldest();
    this.#evictedMessages++;
  }

  #forget(room: MemoryRoom): void {
    this.#retainedBytes -= room.history.bytes;
    this.#rooms.delete(room.roomId);
  }

  #dropIdleRooms(): void {
    for (const room of this.#rooms.values()) if (isIdle(room)) this.#forget(room);
    if (this.#rooms.size >= this.#maxRooms) throw new TooManyRoomsError(this.#maxRooms);
  }
}

function isIdle(room: MemoryRoom): boolean {
  return room.presence.listeners === 0 && room.history.lastOffset === 0;
}

function info(room: MemoryRoom): RoomInfo {
  return {
    roomId: room.roomId,
    name: room.name,
    listeners: room.presence.listeners,
    members: room.presence.members(),
    messageCount: room.history.size,
    lastMessageId: room.history.last?.id ?? null,
    createdAt: room.createdAt,
  };
}
