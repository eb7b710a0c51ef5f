import type { Message, RoomEvent, RoomInfo } from "../../rooms/index.js";
import type { ResumeStatus, WireEvent, WireMessage, WireRoom, WireTimestamp } from "./wire.js";

// The client's direction of wire.ts: chat.proto's shapes back into the rooms
// module's, so the CLI and the tests read gRPC answers as the SSE and
// WebSocket clients read theirs. Each is the inverse of its `toWire*`.

/** A Timestamp as an ISO-8601 instant (millisecond precision, like the source). */
export function fromTimestamp(timestamp: WireTimestamp): string {
  return new Date(Number(timestamp.seconds) * 1000 + Math.floor(timestamp.nanos / 1e6)).toISOString();
}

export function fromWireMessage(wire: WireMessage): Message {
  return {
    id: wire.id,
    roomId: wire.roomId,
    userId: wire.userId,
    text: wire.text,
    sentAt: fromTimestamp(wire.sentAt),
  };
}

export function fromWireRoom(wire: WireRoom): RoomInfo {
  return {
    roomId: wire.roomId,
    name: wire.name,
    listeners: wire.listeners,
    members: [...wire.members],
    messageCount: wire.messageCount,
    lastMessageId: wire.lastMessageId === "" ? null : wire.lastMessageId,
    createdAt: fromTimestamp(wire.createdAt),
  };
}

const RECOVERED: Readonly<Record<ResumeStatus, boolean | null>> = {
  RESUME_STATUS_UNSPECIFIED: null,
  RESUME_STATUS_RECOVERED: true,
  RESUME_STATUS_INCOMPLETE: false,
};

/** A gRPC `Event` as the room event it stands for (the SSE and WebSocket shape). */
export function fromWireEvent(wire: WireEvent): RoomEvent {
  switch (wire.event) {
    case "ready": {
      const ready = wire.ready;
      return {
        type: "ready",
        roomId: ready.roomId,
        members: [...ready.members],
        lastId: ready.lastId === "" ? null : ready.lastId,
        recovered: RECOVERED[ready.recovered] ?? null,
      };
    }
    case "message":
      return { type: "message", message: fromWireMessage(wire.message) };
    case "joined":
      return { type: "joined", roomId: wire.joined.roomId, userId: wire.joined.userId };
    case "left":
      return { type: "left", roomId: wire.left.roomId, userId: wire.left.userId };
    case "deleted":
      return { type: "deleted", roomId: wire.deleted.roomId };
  }
}
