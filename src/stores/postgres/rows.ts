import { formatMessageId, type Message } from "../../rooms/index.js";

/** A `messages` row as the store's queries select it. */
export interface MessageRow {
  readonly msg_offset: string;
  readonly user_id: string;
  readonly body: string;
  readonly sent_at: string;
}

/** The columns `rowToMessage` needs, for SELECT lists. */
export const MESSAGE_COLUMNS = "msg_offset, user_id, body, sent_at";

export function rowToMessage(roomId: string, epoch: string, row: MessageRow): Message {
  return {
    id: formatMessageId(epoch, Number(row.msg_offset)),
    roomId,
    userId: row.user_id,
    text: row.body,
    sentAt: row.sent_at,
  };
}

/** bigint columns arrive as strings (they may pass 2^53); offsets never do. */
export function asOffset(value: string | number | null | undefined): number {
  return value === null || value === undefined ? 0 : Number(value);
}
