export type ValidationCode =
  | "invalid_room_id"
  | "invalid_user_id"
  | "invalid_text"
  | "invalid_cursor"
  | "invalid_limit";

/** Every code a `RoomError` can carry; each adapter's status table has a row for each. */
export type RoomErrorCode =
  | ValidationCode
  | "message_too_long"
  | "room_not_found"
  | "too_many_rooms"
  | "shutting_down"
  | "history_lost"
  | "slow_consumer"
  | "store_unavailable";

/**
 * Errors of the rooms module. Each has a stable `code` that the adapters map,
 * in one table each, to an HTTP status or a gRPC status.
 */
export class RoomError extends Error {
  readonly code: RoomErrorCode;

  constructor(code: RoomErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Input that can never be valid (a malformed id, an empty text, a cursor that is not a cursor). */
export class ValidationError extends RoomError {
  /** The offending field, as the caller named it. */
  readonly field: string;

  constructor(code: ValidationCode, field: string, message: string) {
    super(code, message);
    this.field = field;
  }
}

/** A message text over the configured byte limit. */
export class MessageTooLongError extends RoomError {
  readonly limitBytes: number;
  readonly actualBytes: number;

  constructor(limitBytes: number, actualBytes: number) {
    super(
      "message_too_long",
      `Expected \`text\` to be at most ${limitBytes} bytes, got ${actualBytes} bytes`,
    );
    this.limitBytes = limitBytes;
    this.actualBytes = actualBytes;
  }
}

export class RoomNotFoundError extends RoomError {
  readonly roomId: string;

  constructor(roomId: string) {
    super("room_not_found", `No such room: \`${roomId}\``);
    this.roomId = roomId;
  }
}

/** Creating one more room would pass the configured room limit. */
export class TooManyRoomsError extends RoomError {
  constructor(maxRooms: number) {
    super("too_many_rooms", `The server holds its maximum of ${maxRooms} rooms; try an existing room`);
  }
}

/** The manager is shutting down and accepts no new work. */
export class RoomManagerClosedError extends RoomError {
  constructor() {
    super("shutting_down", "The server is shutting down");
  }
}

/**
 * The listener missed messages that history can no longer supply (the store
 * lost or trimmed them, or started a new epoch). Resumable: a listener opened
 * again with the last id it saw is told, through `recovered: false`, what it lost.
 */
export class HistoryLostError extends RoomError {
  readonly roomId: string;

  constructor(roomId: string) {
    super("history_lost", `Messages of room \`${roomId}\` were lost; resume from the last id you saw`);
    this.roomId = roomId;
  }
}

/**
 * The listener fell too far behind (its queue of unread events overflowed) and
 * was ended; the broadcast library's `SlowConsumerError` is its `cause`.
 * Resumable, like `HistoryLostError`: reopen with the last id it saw.
 */
export class ListenerEvictedError extends RoomError {
  readonly roomId: string;
  /** How many unread events the listener may hold. */
  readonly queueSize: number;

  constructor(roomId: string, queueSize: number, options?: ErrorOptions) {
    super(
      "slow_consumer",
      `The listener of room \`${roomId}\` fell ${queueSize} events behind and was ended; resume from the last id you saw`,
      options,
    );
    this.roomId = roomId;
    this.queueSize = queueSize;
  }
}

/** The shared store cannot be reached; nothing was stored. Retry later. */
export class StoreUnavailableError extends RoomError {
  constructor(cause?: unknown) {
    super("store_unavailable", "The message store is unavailable; try again shortly", { cause });
  }
}
