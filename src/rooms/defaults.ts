/**
 * The rooms module's defaults, in one place: the manager, the stores and the
 * CLI read them from here instead of restating them.
 */
export const ROOM_DEFAULTS = {
  /** Messages kept per room (also the largest history page). */
  historyLimit: 1000,
  /** Largest message text, in UTF-8 bytes. */
  maxMessageBytes: 4096,
  /** Rooms the in-memory store holds at once. */
  maxRooms: 10_000,
  /** Bytes of history the in-memory store keeps over all rooms (256 MiB). */
  historyBytes: 256 * 1024 * 1024,
  /** Bytes of history the in-memory store keeps for one room (32 MiB). */
  roomHistoryBytes: 32 * 1024 * 1024,
  /** Events a listener may have queued and not yet consumed. */
  listenerQueueSize: 1024,
  /** How often a room with listeners compares its position with the store, in ms. */
  positionCheckMs: 5_000,
  /** Shared stores: a dead process's users leave its rooms within about this long, in ms. */
  presenceLeaseMs: 15_000,
} as const;
