import type { RoomEvent } from "../../rooms/index.js";

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
  const cache = new WeakMap<RoomEvent, { frame: string; bytes: number }>();
  const entryOf = (event: RoomEvent): { frame: string; bytes: number } => {
    let entry = cache.get(event);
    if (entry === undefined) {
      const frame = formatFrame(event);
      entry = { frame, bytes: Buffer.byteLength(frame) };
      cache.set(event, entry);
    }
    return entry;
  };
  return {
    frames: (events) =>
      events.length === 1
        ? entryOf(events[0] as RoomEvent).frame
        : events.map((event) => entryOf(event).frame).join(""),
    byteLength: (event) => entryOf(event).bytes,
  };
}

function formatFrame(event: RoomEvent): string {
  switch (event.type) {
    case "message":
      return `id: ${event.message.id}\nevent: message\ndata: ${JSON.stringify(event.message)}\n\n`;
    case "ready": {
      const { roomId, members, lastId, recovered } = event;
      return `event: ready\ndata: ${JSON.stringify({ roomId, members, lastId, recovered })}\n\n`;
    }
    case "joined":
    case "left":
      return `event: ${event.type}\ndata: ${JSON.stringify({ roomId: event.roomId, userId: event.userId })}\n\n`;
    case "deleted":
      return `event: deleted\ndata: ${JSON.stringify({ roomId: event.roomId })}\n\n`;
  }
}

export const HEARTBEAT_FRAME = ": heartbeat\n\n";
