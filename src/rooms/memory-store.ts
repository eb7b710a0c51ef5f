import { formatMessageId } from "./cursor.js";
import { newEpoch } from "./epoch.js";
import { TooManyRoomsError } from "./errors.js";
import type { Message, RoomInfo } from "./events.js";
import { MessageHistory } from "./history.js";
import { Presence } from "./presence.js";
import type { BusEvent, HistoryQuery, HistorySlice, MessageDraft, RoomStore } from "./store.js";

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
}

interface MemoryRoom {
  readonly roomId: string;
  readonly name: string;
  readonly epoch: string;
  readonly createdAt: string;
  readonly history: MessageHistory;
  readonly presence: Presence;
}

/**
 * The embedded default store: one process, nothing to install. A restart
 * loses every history, and new epochs tell resuming clients so.
 */
export class MemoryRoomStore implements RoomStore {
  readonly #historyLimit: number;
  readonly #maxRooms: number;
  readonly #rooms = new Map<string, MemoryRoom>();
  readonly #listeners = new Set<(event: BusEvent) => void>();

  constructor(options?: MemoryStoreOptions) {
    this.#historyLimit = options?.historyLimit ?? 1000;
    this.#maxRooms = options?.maxRooms ?? 10_000;
  }

  async ensureRoom(roomId: string, name?: string): Promise<RoomInfo> {
    return info(this.#room(roomId, name));
  }

  async append(draft: MessageDraft): Promise<Message> {
    const room = this.#room(draft.roomId);
    const offset = room.history.lastOffset + 1;
    const message: Message = Object.freeze({
      id: formatMessageId(room.epoch, offset),
      roomId: draft.roomId,
      userId: draft.userId,
      text: draft.text,
      sentAt: draft.sentAt,
    });
    room.history.append(message);
    this.#publish({ type: "message", message, offset });
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

  async deleteRoom(roomId: string): Promise<boolean> {
    if (!this.#rooms.delete(roomId)) return false;
    this.#publish({ type: "deleted", roomId });
    return true;
  }

  async addListener(roomId: string, userId: string | undefined): Promise<string> {
    const room = this.#room(roomId);
    if (room.presence.add(userId) && userId !== undefined) this.#publish({ type: "joined", roomId, userId });
    return room.epoch;
  }

  async removeListener(roomId: string, userId: string | undefined, epoch: string): Promise<void> {
    const room = this.#rooms.get(roomId);
    if (room === undefined || room.epoch !== epoch) return;
    if (room.presence.remove(userId) && userId !== undefined) this.#publish({ type: "left", roomId, userId });
    if (isIdle(room)) this.#rooms.delete(roomId);
  }

  subscribe(listener: (event: BusEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#listeners.clear();
  }

  #publish(event: BusEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  #room(roomId: string, name?: string): MemoryRoom {
    const existing = this.#rooms.get(roomId);
    if (existing !== undefined) return existing;
    if (this.#rooms.size >= this.#maxRooms) this.#dropIdleRooms();
    const room: MemoryRoom = {
      roomId,
      name: name ?? roomId,
      epoch: newEpoch(),
      createdAt: new Date().toISOString(),
      history: new MessageHistory(this.#historyLimit),
      presence: new Presence(),
    };
    this.#rooms.set(roomId, room);
    return room;
  }

  #dropIdleRooms(): void {
    for (const room of this.#rooms.values()) if (isIdle(room)) this.#rooms.delete(room.roomId);
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
