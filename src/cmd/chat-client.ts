import type { Message, RoomEvent, RoomInfo } from "../rooms/index.js";

/** What the client commands need from a server, over HTTP or gRPC. */
export interface ChatClient {
  send(roomId: string, userId: string, text: string): Promise<Message>;
  listRooms(): Promise<RoomInfo[]>;
  /** The room's latest `limit` messages, oldest first; none when the room does not exist yet. */
  history(roomId: string, limit: number): Promise<Message[]>;
  /**
   * Streams a room's events to `onEvent` until the room is deleted (resolves)
   * or `signal` aborts (resolves). A first connection that fails rejects.
   */
  tail(roomId: string, options: TailOptions, onEvent: (event: RoomEvent) => void): Promise<void>;
  close(): void;
}

export interface TailOptions {
  readonly userId?: string | undefined;
  readonly since?: string | undefined;
  readonly signal: AbortSignal;
  /** Told when the connection dropped and the client is resuming. */
  readonly onReconnect?: () => void;
}

/**
 * A room event from its type and the JSON data the text transports carry (an
 * SSE frame's `data`, a WebSocket frame less its `type`).
 */
export function roomEventFromJson(type: string, data: Record<string, unknown>): RoomEvent {
  return (type === "message" ? { type, message: data } : { type, ...data }) as RoomEvent;
}

/** A failure reported by the server (its error code and message) or by the network. */
export class ClientError extends Error {
  override readonly name = "ClientError";
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}
