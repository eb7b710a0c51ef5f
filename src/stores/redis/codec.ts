import {
  type AnnouncedEvent,
  type BusEvent,
  formatMessageId,
  type HistorySlice,
  type Message,
} from "../../rooms/index.js";

/** A script reply, as RESP delivers it: strings, numbers, nested arrays, or null. */
export type Reply = unknown;

export function asArray(reply: Reply): Reply[] {
  return Array.isArray(reply) ? reply : [];
}

export function asString(reply: Reply): string {
  return typeof reply === "string" ? reply : Buffer.isBuffer(reply) ? reply.toString("utf8") : String(reply);
}

export function asNumber(reply: Reply): number {
  return typeof reply === "number" ? reply : Number(asString(reply));
}

/** A stream entry `[id, [field, value, ...]]` as a message of `roomId` in `epoch`. */
export function entryToMessage(roomId: string, epoch: string, entry: Reply): Message {
  const [id, fields] = asArray(entry);
  const values = new Map<string, string>();
  const flat = asArray(fields);
  for (let i = 0; i + 1 < flat.length; i += 2) values.set(asString(flat[i]), asString(flat[i + 1]));
  return {
    id: formatMessageId(epoch, Number.parseInt(asString(id), 10)),
    roomId,
    userId: values.get("u") ?? "",
    text: values.get("t") ?? "",
    sentAt: values.get("s") ?? "",
  };
}

/** The READ script's reply as a history slice (`latest` pages come newest first and are turned around). */
export function replyToSlice(roomId: string, reply: Reply, latest: boolean): HistorySlice | undefined {
  if (reply === null || reply === undefined || reply === false) return undefined;
  const [epoch, top, first, entries] = asArray(reply);
  const epochText = asString(epoch);
  const messages = asArray(entries).map((entry) => entryToMessage(roomId, epochText, entry));
  if (latest) messages.reverse();
  return { epoch: epochText, messages, firstOffset: asNumber(first), lastOffset: asNumber(top) };
}

interface Payload {
  readonly t: "m" | "j" | "l" | "d";
  readonly e: string;
  readonly o?: number;
  readonly u?: string;
  readonly x?: string;
  readonly s?: string;
}

/** The payload the scripts would publish for `event` (for a bus that publishes from outside them). */
export function eventToPayload(event: AnnouncedEvent): string {
  let payload: Payload;
  switch (event.type) {
    case "message": {
      const { userId: u, text: x, sentAt: s } = event.message;
      payload = { t: "m", e: event.epoch, o: event.offset, u, x, s };
      break;
    }
    case "joined":
    case "left":
      payload = { t: event.type === "joined" ? "j" : "l", e: event.epoch, u: event.userId };
      break;
    case "deleted":
      payload = { t: "d", e: event.epoch };
      break;
  }
  return JSON.stringify(payload);
}

/** A Pub/Sub payload published by the scripts, as a bus event; undefined when it is not one. */
export function payloadToEvent(roomId: string, payload: string): BusEvent | undefined {
  let data: Payload;
  try {
    data = JSON.parse(payload) as Payload;
  } catch {
    return undefined;
  }
  switch (data.t) {
    case "m": {
      const offset = Number(data.o);
      const message: Message = {
        id: formatMessageId(data.e, offset),
        roomId,
        userId: data.u ?? "",
        text: data.x ?? "",
        sentAt: data.s ?? "",
      };
      return { type: "message", epoch: data.e, offset, message };
    }
    case "j":
    case "l":
      return { type: data.t === "j" ? "joined" : "left", epoch: data.e, roomId, userId: data.u ?? "" };
    case "d":
      return { type: "deleted", epoch: data.e, roomId };
    default:
      return undefined;
  }
}
