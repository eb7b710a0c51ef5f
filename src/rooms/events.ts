/** A stored chat message. `id` is opaque: pass it back as a `since` cursor to resume after it. */
export interface Message {
  readonly id: string;
  readonly roomId: string;
  readonly userId: string;
  readonly text: string;
  /** ISO-8601 UTC. */
  readonly sentAt: string;
}

/**
 * First event of every listener. `recovered`: `null` without a cursor; `true`
 * when everything after the cursor was replayed; `false` when messages may be
 * missing (cursor older than the retained history, or from a lost history).
 */
export interface ReadyEvent {
  readonly type: "ready";
  readonly roomId: string;
  readonly members: readonly string[];
  readonly lastId: string | null;
  readonly recovered: boolean | null;
}

export interface MessageEvent {
  readonly type: "message";
  readonly message: Message;
}

/** A user's first listener opened (`joined`) or last one closed (`left`). Live only, never stored. */
export interface PresenceEvent {
  readonly type: "joined" | "left";
  readonly roomId: string;
  readonly userId: string;
}

/** The room was deleted; it is the last event a listener receives. */
export interface DeletedEvent {
  readonly type: "deleted";
  readonly roomId: string;
}

export type RoomEvent = ReadyEvent | MessageEvent | PresenceEvent | DeletedEvent;

/** Public state of a room. */
export interface RoomInfo {
  readonly roomId: string;
  readonly name: string;
  /** Open listeners, across every process sharing the store. */
  readonly listeners: number;
  /** Users with at least one open listener, sorted. */
  readonly members: readonly string[];
  /** Messages retained in history. */
  readonly messageCount: number;
  readonly lastMessageId: string | null;
  readonly createdAt: string;
}
