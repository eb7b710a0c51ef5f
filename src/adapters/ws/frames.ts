import type { Message, RoomEvent } from "../../rooms/index.js";
import { type CachedFrame, createFrameCache, eventData } from "../shared/index.js";

/**
 * A room event as the UTF-8 payload of one WebSocket text frame:
 * `{"type", ...the SSE data}`, so a message frame is `{"type":"message","id",...}`
 * and ready is `{"type":"ready","roomId","members","lastId","recovered"}`.
 * Shared by every socket of an adapter: a message fanned out to thousands of
 * sockets is serialised and encoded once (a Buffer is written as is; a string
 * would be encoded again for every socket).
 */
export function createWsFrameFormatter(): (event: RoomEvent) => CachedFrame<Buffer> {
  return createFrameCache((event) => Buffer.from(JSON.stringify({ type: event.type, ...eventData(event) })));
}

/** A client's correlation id, echoed back in the answer to its frame. */
export type Ref = string | number;

/** The answer to an accepted submit: `{"type":"submitted","message",...ref}`. */
export function submittedFrame(message: Message, ref: Ref | undefined): string {
  return JSON.stringify(
    ref === undefined ? { type: "submitted", message } : { type: "submitted", message, ref },
  );
}

/** The answer to a frame that was refused: `{"type":"error","error":{"code","message"},...ref}`. */
export function errorFrame(code: string, message: string, ref: Ref | undefined): string {
  const error = { code, message };
  return JSON.stringify(ref === undefined ? { type: "error", error } : { type: "error", error, ref });
}
