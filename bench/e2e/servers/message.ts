/**
 * The peers store nothing, but they shape each message as our server does
 * (`{id, roomId, userId, text, sentAt}`, the same SSE frame), so every server
 * sends the same bytes per delivery.
 */
export interface BenchMessage {
  readonly id: string;
  readonly roomId: string;
  readonly userId: string;
  readonly text: string;
  readonly sentAt: string;
}

export class MessageMinter {
  readonly #epoch = Math.random().toString(36).slice(2, 10);
  #offset = 0;

  /** A message from a posted body, or undefined if the body is not `{userId, text}` strings. */
  mint(roomId: string, body: unknown): BenchMessage | undefined {
    const { userId, text } = (body ?? {}) as { userId?: unknown; text?: unknown };
    if (typeof userId !== "string" || typeof text !== "string" || text === "") return undefined;
    this.#offset++;
    return {
      id: `${this.#epoch}.${this.#offset}`,
      roomId,
      userId,
      text,
      sentAt: new Date().toISOString(),
    };
  }
}

/** The SSE frame of a message, as our server writes it. */
export function messageFrame(message: BenchMessage): string {
  return `id: ${message.id}\nevent: message\ndata: ${JSON.stringify(message)}\n\n`;
}

/** The first frame of a stream, as our server writes it. */
export function readyFrame(roomId: string): string {
  return `event: ready\ndata: ${JSON.stringify({ roomId, members: [], lastId: null, recovered: null })}\n\n`;
}

/** The WebSocket frame of a message, as our adapter writes it. */
export function wsMessageFrame(message: BenchMessage): string {
  return JSON.stringify({ type: "message", ...message });
}

/** The first WebSocket frame of a socket, as our adapter writes it. */
export function wsReadyFrame(roomId: string): string {
  return JSON.stringify({ type: "ready", roomId, members: [], lastId: null, recovered: null });
}
