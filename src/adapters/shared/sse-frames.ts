import type { RoomEvent } from "../../rooms/index.js";
import { eventData } from "./event-data.js";
import { createFrameCache } from "./frame-cache.js";

export interface FrameFormatter {
  /** The frames of `events`, concatenated. */
  frames(events: readonly RoomEvent[]): string;
  /** The UTF-8 size of an event's frame. */
  byteLength(event: RoomEvent): number;
}

/**
 * Serialises room events as SSE frames. A message frame carries `id:` (the
 * resume cursor); presence, ready and deleted frames carry none. One formatter
 * is shared by every stream of an app, and caches each event's frame, so a
 * message fanned out to thousands of streams is serialised once.
 */
export function createFrameFormatter(): FrameFormatter {
  const entryOf = createFrameCache(formatFrame);
  return {
    frames: (events) =>
      events.length === 1
        ? entryOf(events[0] as RoomEvent).frame
        : events.map((event) => entryOf(event).frame).join(""),
    byteLength: (event) => entryOf(event).bytes,
  };
}

function formatFrame(event: RoomEvent): string {
  // Only a message frame carries `id:`, the resume cursor.
  const id = event.type === "message" ? `id: ${event.message.id}\n` : "";
  return `${id}event: ${event.type}\ndata: ${JSON.stringify(eventData(event))}\n\n`;
}

export const HEARTBEAT_FRAME = ": heartbeat\n\n";
