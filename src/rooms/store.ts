import type { Message, RoomInfo } from "./events.js";

/**
 * The scale-out seam: where rooms, history and presence live, and how room
 * events reach every process that has listeners in a room. The in-memory
 * store is the embedded default; shared stores (Redis, PostgreSQL) let
 * several processes serve the same rooms. Nothing here assumes one process:
 *
 * - the bus is per room: a process subscribes to the rooms it has listeners
 *   in, and only those;
 * - every bus event carries the room's epoch, and messages their offset, so a
 *   process can drop late events of a room's earlier life and detect gaps
 *   (a bus may lose events: Redis Pub/Sub is at-most-once);
 * - listeners are counted per listener id, so a retried close never
 *   double-counts, and a shared store can expire a dead process's listeners.
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
  /** How many rooms exist, without reading them (metrics scrape this). */
  countRooms(): Promise<number>;
  /** Drops the room and its history and publishes `deleted`; false when there was no such room. */
  deleteRoom(roomId: string): Promise<boolean>;
  /**
   * One atomic step: creates the room if needed, counts one more listener
   * and, when it is the user's first, publishes `joined`. Returns the
   * listener's id (to close it with) and the room's epoch and top offset.
   */
  openListener(roomId: string, userId: string | undefined): Promise<OpenedListener>;
  /**
   * Uncounts the listener and, when it was its user's last, publishes `left`.
   * A room left with no listeners and no messages is dropped. Idempotent:
   * an id the room does not count (closed already, or counted by a deleted
   * earlier life of the room) changes nothing.
   */
  closeListener(roomId: string, listenerId: string): Promise<void>;
  /**
   * Starts a new epoch for the room when its epoch is still `epoch`: called
   * when a cursor or a process saw an offset the store no longer has (the
   * store's history was rolled back), so no offset is ever reused.
   */
  rotateEpoch(roomId: string, epoch: string): Promise<void>;
  /**
   * Subscribes to one room's events, in publish order. Resolves once the
   * subscription is in place: everything published after that is delivered
   * (unless the bus loses it, which a `resync` event then announces).
   */
  subscribe(roomId: string, onEvent: (event: BusEvent) => void): Promise<BusSubscription>;
  /** False while the store cannot be reached (health checks report it). */
  readonly healthy: boolean;
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

export interface OpenedListener {
  /** Pass it back to `closeListener`. */
  readonly listenerId: string;
  readonly epoch: string;
  /** The room's top offset when the listener was counted. */
  readonly lastOffset: number;
  /** Members once the listener was counted, sorted. */
  readonly members: readonly string[];
}

export interface BusSubscription {
  unsubscribe(): Promise<void>;
}

/** What a process announces on a bus; `resync` only ever comes from the bus itself. */
export type AnnouncedEvent = Exclude<BusEvent, { type: "resync" }>;

/**
 * A bus on its own, for a store that keeps rooms in one place and carries
 * their events through another (the PostgreSQL store over Redis Pub/Sub).
 * Per room, in publish order, at most once: a lost event shows up as an
 * offset gap, or as a `resync` after the bus reconnected.
 */
export interface RoomBus {
  /** Delivers the event to every process subscribed to the room. */
  publish(roomId: string, event: AnnouncedEvent): Promise<void>;
  /** As `RoomStore.subscribe`: resolves once the subscription is in place. */
  subscribe(roomId: string, onEvent: (event: BusEvent) => void): Promise<BusSubscription>;
  /** False while the bus cannot be reached. */
  readonly healthy: boolean;
  /** How many times the bus connection came back after a drop. */
  readonly reconnects: number;
  close(): Promise<void>;
}

/** What the bus carries for one room. */
export type BusEvent =
  | {
      readonly type: "message";
      readonly epoch: string;
      readonly offset: number;
      readonly message: Message;
    }
  | {
      readonly type: "joined" | "left";
      readonly epoch: string;
      readonly roomId: string;
      readonly userId: string;
    }
  | { readonly type: "deleted"; readonly epoch: string; readonly roomId: string }
  /** The bus may have lost this room's events (it reconnected): compare positions with the store. */
  | { readonly type: "resync"; readonly roomId: string };
