/**
 * Where one room lives in Redis. Every key of a room shares the hash tag
 * `{<roomId>}`, so a room's scripts touch one slot and run on Redis Cluster;
 * only the room index spans rooms, and it is updated by separate commands.
 */
export interface RoomKeys {
  /** Hash: epoch, top (last offset), name, createdAt. */
  readonly meta: string;
  /** Stream: one entry per retained message, id `<offset>-0`, trimmed to exactly the history size. */
  readonly log: string;
  /** Hash: listener id → user id (`""` for an anonymous listener). */
  readonly listeners: string;
  /** Hash: user id → how many listeners it has open, over every process. */
  readonly members: string;
  /** Sorted set: process id → lease expiry (ms, Redis time). */
  readonly leases: string;
  /** Pub/Sub channel of the room's events. */
  readonly channel: string;
}

export function roomKeys(prefix: string, roomId: string): RoomKeys {
  const base = `${prefix}:{${roomId}}`;
  return {
    meta: `${base}:meta`,
    log: `${base}:log`,
    listeners: `${base}:listeners`,
    members: `${base}:members`,
    leases: `${base}:leases`,
    channel: `${base}:events`,
  };
}

/** Sorted set of every room id (score: creation time), for listing and counting rooms. */
export function roomIndexKey(prefix: string): string {
  return `${prefix}:rooms`;
}

/** The keys in the order every script takes them. */
export function scriptKeys(keys: RoomKeys): string[] {
  return [keys.meta, keys.log, keys.listeners, keys.members, keys.leases, keys.channel];
}
