import type { RoomEvent } from "../../rooms/index.js";
import { eventData } from "../event-data.js";

/**
 * A room event as one WebSocket text frame: `{"type", ...the SSE data}`, so a
 * message frame is `{"type":"message","id",...}` and ready is
 * `{"type":"ready","roomId","members","lastId","recovered"}`. Cached per
 * event: a message fanned out to thousands of sockets is serialised once.
 */
export function createWsFrameFormatter(): (event: RoomEvent) => string {
  const cache = new WeakMap<RoomEvent, string>();
  return (event) => {
    let frame = cache.get(event);
    if (frame === undefined) {
      frame = JSON.stringify({ type: event.type, ...eventData(event) });
      cache.set(event, frame);
    }
    return frame;
  };
}
