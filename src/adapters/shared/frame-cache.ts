import type { RoomEvent } from "../../rooms/index.js";

/** What a transport writes for one event: the frame and its size in bytes. */
export interface CachedFrame<F extends string | Buffer = string> {
  readonly frame: F;
  readonly bytes: number;
}

/**
 * Returns `frameOf(event)`: `format(event)` with its byte size, computed once
 * per event. One cache is shared by every stream of an adapter, so a message
 * fanned out to thousands of streams is serialised once; entries go with
 * their events (a WeakMap).
 */
export function createFrameCache<F extends string | Buffer>(
  format: (event: RoomEvent) => F,
): (event: RoomEvent) => CachedFrame<F> {
  const cache = new WeakMap<RoomEvent, CachedFrame<F>>();
  return (event) => {
    let entry = cache.get(event);
    if (entry === undefined) {
      const frame = format(event);
      entry = { frame, bytes: typeof frame === "string" ? Buffer.byteLength(frame) : frame.length };
      cache.set(event, entry);
    }
    return entry;
  };
}
