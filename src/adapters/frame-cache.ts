import type { RoomEvent } from "../rooms/index.js";

/** What a transport writes for one event: the frame and its UTF-8 size. */
export interface CachedFrame {
  readonly frame: string;
  readonly bytes: number;
}

/**
 * Returns `frameOf(event)`: `format(event)` with its byte size, computed once
 * per event. One cache is shared by every stream of an adapter, so a message
 * fanned out to thousands of streams is serialised once; entries go with
 * their events (a WeakMap).
 */
export function createFrameCache(format: (event: RoomEvent) => string): (event: RoomEvent) => CachedFrame {
  const cache = new WeakMap<RoomEvent, CachedFrame>();
  return (event) => {
    let entry = cache.get(event);
    if (entry === undefined) {
      const frame = format(event);
      entry = { frame, bytes: Buffer.byteLength(frame) };
      cache.set(event, entry);
    }
    return entry;
  };
}
