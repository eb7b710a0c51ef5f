import type pg from "pg";
import type { HistoryQuery, HistorySlice, Message } from "../../rooms/index.js";
import { asOffset, MESSAGE_COLUMNS, type MessageRow, rowToMessage } from "./rows.js";

/** A room's state as `RoomInfo` needs it; callers append a WHERE clause. */
export const ROOM_STATE = `
  SELECT r.room_id, r.name, r.epoch, r.created_at, r.last_offset,
    (SELECT count(*) FROM listeners l WHERE l.room_id = r.room_id) AS listeners,
    chat_members(r.room_id) AS members,
    (SELECT count(*) FROM messages m WHERE m.room_id = r.room_id) AS message_count
  FROM rooms r`;

/**
 * A history slice in one statement, so the epoch, the bounds and the rows
 * come from one snapshot. Pages are read along the primary key. Offsets are
 * contiguous and history is trimmed only from its oldest end, so the latest
 * `limit` messages are the offsets above `last_offset - limit`: a bounded
 * range whatever the planner's statistics say (a DESC scan with stale ones
 * read every retained row of the room and sorted them, 2x slower at 1,000).
 */
export async function readHistory(
  pool: pg.Pool,
  roomId: string,
  query: HistoryQuery,
): Promise<HistorySlice | undefined> {
  const latest = query.afterOffset === undefined && (query.latest ?? false);
  const { rows } = await pool.query<{
    epoch: string;
    last_offset: string;
    first_offset: string | null;
    messages: MessageRow[];
  }>(
    `SELECT r.epoch, r.last_offset,
       (SELECT min(msg_offset) FROM messages m WHERE m.room_id = r.room_id) AS first_offset,
       (SELECT coalesce(json_agg(page ORDER BY page.msg_offset), '[]') FROM (
          SELECT ${MESSAGE_COLUMNS} FROM messages m
          WHERE m.room_id = r.room_id
            AND m.msg_offset > ${latest ? "greatest($2, r.last_offset - $3)" : "$2"}
          ORDER BY m.msg_offset LIMIT $3) page) AS messages
     FROM rooms r WHERE r.room_id = $1`,
    [roomId, query.afterOffset ?? 0, query.limit],
  );
  const [row] = rows;
  if (row === undefined) return undefined;
  const lastOffset = asOffset(row.last_offset);
  return {
    epoch: row.epoch,
    messages: row.messages.map((message) => rowToMessage(roomId, row.epoch, message)),
    firstOffset: row.first_offset === null ? lastOffset + 1 : asOffset(row.first_offset),
    lastOffset,
  };
}

/** The room's messages with offsets in (after, upTo], when it is still in `epoch` (the bus's read). */
export async function readMessageRange(
  pool: pg.Pool,
  roomId: string,
  epoch: string,
  after: number,
  upTo: number,
): Promise<Array<{ offset: number; message: Message }>> {
  const { rows } = await pool.query<MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN rooms r USING (room_id)
     WHERE m.room_id = $1 AND r.epoch = $2 AND m.msg_offset > $3 AND m.msg_offset <= $4
     ORDER BY m.msg_offset`,
    [roomId, epoch, after, upTo],
  );
  return rows.map((row) => ({ offset: asOffset(row.msg_offset), message: rowToMessage(roomId, epoch, row) }));
}
