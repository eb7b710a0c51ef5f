import type { RoomEvent } from "../../rooms/index.js";

/**
 * The JSON payload of a room event, the same for every streaming transport
 * (SSE `data:`, WebSocket frames): a message is the stored message itself;
 * ready, presence and deleted carry their fields without `type`.
 */
export function eventData(event: RoomEvent): object {
  switch (event.type) {
    case "message":
      return event.message;
    case "ready": {
      const { roomId, members, lastId, recovered } = event;
      return { roomId, members, lastId, recovered };
    }
    case "joined":
    case "left":
      return { roomId: event.roomId, userId: event.userId };
    case "deleted":
      return { roomId: event.roomId };
  }
}
