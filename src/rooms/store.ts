import type { Message, RoomInfo } from "./events.js";

/**
 * The scale-out seam: where rooms, history and presence live, and how room
 * events reach every process that has listeners. The in-memory store is the
 * default; a shared implementation (Redis) lets several processes serve the
 * same rooms. Nothing here may assume a single process: counters and member
 * sets live in the store, and every change is announced on the bus, including
 * to the process that made it.
 */
export interface RoomStore {
  /** Creates the room if it does not exist (`name` defaults to the id) and returns its state. */
  ensureRoom(roomId: string, name?: string): Promise<RoomInfo>;
  /** Assigns the next offset, stores the message (trimming history) and publishes it. */
  append(draft: MessageDraft): Promise<Message>;
  /** A slice of retained history, or `undefined` when the room does not exist. */
  read(roomId: string, query: HistoryQuery): Promise<HistorySlice | undefined>;
  getRoom(roomId: string): Promise<RoomInfo | undefined>;
  listRooms(): Promise<RoomInfo[]>;
  /** Drops the room and its history and publishes `deleted`; false when there was no such room. */
  deleteRoom(roomId: string): Promise<boolean>;
  /**
   * Counts one more listener (creating the room if needed) and, when it is the
   * user's first, publishes `joined`. Returns the room's epoch, to pass back.
   */
  addListener(roomId: string, userId: string | undefined): Promise<string>;
  /**
   * Counts one listener less and, when it was the user's last, publishes `left`.
   * A room left with no listeners and no messages is dropped. Does nothing when
   * the room's epoch is no longer `epoch` (it was deleted meanwhile).
   */
  removeListener(roomId: string, userId: string | undefined, epoch: string): Promise<void>;
  /** Receives every room event of every room, in publish order per room. Returns the unsubscriber. */
  subscribe(listener: (event: BusEvent) => void): () => void;
  close(): Promise<void>;
}

export interface MessageDraft {
  readonly roomId: string;
  readonly userId: string;
  readonly text: string;
  readonly sentAt: string;
}

export interface HistoryQuery {
  /** Only messages with a larger offset. */
  readonly afterOffset?: number;
  readonly limit: number;
  /** With no `afterOffset`: the latest `limit` messages instead of the oldest. */
  readonly latest?: boolean;
}

export interface HistorySlice {
  readonly epoch: string;
  /** Oldest first. */
  readonly messages: readonly Message[];
  /** Offset of the oldest retained message (lastOffset + 1 when history is empty). */
  readonly firstOffset: number;
  /** Offset of the newest message ever appended in this epoch (0 when none). */
  readonly lastOffset: number;
}

/** What the bus carries. `offset` lets listeners drop duplicates at the replay/live seam. */
export type BusEvent =
  | { readonly type: "message"; readonly message: Message; readonly offset: number }
  | { readonly type: "joined" | "left"; readonly roomId: string; readonly userId: string }
  | { readonly type: "deleted"; readonly roomId: string };
