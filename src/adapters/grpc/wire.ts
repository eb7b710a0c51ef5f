import type { Message, RoomEvent, RoomInfo } from "../../rooms/index.js";

// The shapes of chat.proto's messages as @grpc/proto-loader hands them over
// with CHAT_LOADER_OPTIONS (camelCase fields, enums by name, int64 as number).

/** `google.protobuf.Timestamp`. */
export interface WireTimestamp {
  readonly seconds: number;
  readonly nanos: number;
}

export interface WireMessage {
  readonly id: string;
  readonly roomId: string;
  readonly userId: string;
  readonly text: string;
  readonly sentAt: WireTimestamp;
}

export interface WireRoom {
  readonly roomId: string;
  readonly name: string;
  readonly listeners: number;
  readonly members: readonly string[];
  readonly messageCount: number;
  /** `""` when the room has no message. */
  readonly lastMessageId: string;
  readonly createdAt: WireTimestamp;
}

export type ResumeStatus =
  | "RESUME_STATUS_UNSPECIFIED"
  | "RESUME_STATUS_RECOVERED"
  | "RESUME_STATUS_INCOMPLETE";

export interface WireReady {
  readonly roomId: string;
  readonly members: readonly string[];
  /** `""` when the room has no message. */
  readonly lastId: string;
  readonly recovered: ResumeStatus;
}

export interface WirePresence {
  readonly roomId: string;
  readonly userId: string;
}

/** `chat.v1.Event`: exactly one of the fields is set, and `event` names it. */
export type WireEvent =
  | { readonly event: "ready"; readonly ready: WireReady }
  | { readonly event: "message"; readonly message: WireMessage }
  | { readonly event: "joined"; readonly joined: WirePresence }
  | { readonly event: "left"; readonly left: WirePresence }
  | { readonly event: "deleted"; readonly deleted: { readonly roomId: string } };

export interface SubmitRequest {
  readonly roomId: string;
  readonly userId: string;
  readonly text: string;
}

export interface StreamRequest {
  readonly roomId: string;
  readonly userId: string;
  readonly since: string;
}

export interface RoomRequest {
  readonly roomId: string;
}

export interface ListMessagesRequest {
  readonly roomId: string;
  readonly since: string;
  readonly limit: number;
}

export interface ListRoomsResponse {
  readonly rooms: readonly WireRoom[];
}

export interface ListMessagesResponse {
  readonly roomId: string;
  readonly messages: readonly WireMessage[];
  readonly recovered: ResumeStatus;
}

/** proto3 cannot tell an absent string from an empty one: `""` means "not given". */
export function optionalString(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

/** An ISO-8601 instant as a Timestamp (millisecond precision, like the source). */
export function toTimestamp(iso: string): WireTimestamp {
  const ms = Date.parse(iso);
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1_000_000 };
}

export function toWireMessage(message: Message): WireMessage {
  return {
    id: message.id,
    roomId: message.roomId,
    userId: message.userId,
    text: message.text,
    sentAt: toTimestamp(message.sentAt),
  };
}

export function toWireRoom(room: RoomInfo): WireRoom {
  return {
    roomId: room.roomId,
    name: room.name,
    listeners: room.listeners,
    members: room.members,
    messageCount: room.messageCount,
    lastMessageId: room.lastMessageId ?? "",
    createdAt: toTimestamp(room.createdAt),
  };
}

/** `recovered` (as in `ready`, or a history page) as the proto enum. */
export function resumeStatus(recovered: boolean | null): ResumeStatus {
  if (recovered === null) return "RESUME_STATUS_UNSPECIFIED";
  return recovered ? "RESUME_STATUS_RECOVERED" : "RESUME_STATUS_INCOMPLETE";
}

export function toWireEvent(event: RoomEvent): WireEvent {
  switch (event.type) {
    case "ready":
      return {
        event: "ready",
        ready: {
          roomId: event.roomId,
          members: event.members,
          lastId: event.lastId ?? "",
          recovered: resumeStatus(event.recovered),
        },
      };
    case "message":
      return { event: "message", message: toWireMessage(event.message) };
    case "joined":
      return { event: "joined", joined: { roomId: event.roomId, userId: event.userId } };
    case "left":
      return { event: "left", left: { roomId: event.roomId, userId: event.userId } };
    case "deleted":
      return { event: "deleted", deleted: { roomId: event.roomId } };
  }
}
