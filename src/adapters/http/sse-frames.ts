import type { RoomEvent } from "../../rooms/index.js";

/**
 * Serialises room events as SSE frames. A message frame carries `id:` (the
 * resume cursor); presence, ready and deleted frames carry none. One formatter
 * is shared by every stream of an app, and caches each event's frame, so a
 * message fanned out to thousands of streams is serialised once.
 */
export function createFrameFormatter(): (events: readonly RoomEvent[]) => string {
  const cache = new WeakMap<RoomEvent, string>();
  const frameOf = (event: RoomEvent): string => {
    let frame = cache.get(event);
    if (frame === undefined) {
      frame = formatFrame(event);
      cache.set(event, frame);
    }
    return frame;
  };
  return (events) => (events.length === 1 ? frameOf(events[0] as RoomEvent) : events.map(frameOf).join(""));
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
