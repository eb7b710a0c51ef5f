import { createHash } from "node:crypto";

/** The room's notification channel, as the schema's `chat_channel()` names it. */
export function roomChannel(schema: string, roomId: string): string {
  return `chat_${createHash("md5").update(`${schema}:${roomId}`).digest("hex")}`;
}
