import type { Cursor } from "./cursor.js";
import { formatMessageId } from "./cursor.js";
import type { Message, ReadyEvent } from "./events.js";
import type { HistorySlice } from "./store.js";

export interface ResumePlan {
  readonly ready: ReadyEvent;
  /** Messages to deliver after `ready`, oldest first. */
  readonly replay: readonly Message[];
  /** Live messages up to this offset are covered by `ready` and the replay: drop them. */
  readonly skipUpTo: number;
}

/**
 * What a listener opening at `cursor` receives before live events, given the
 * history read after it subscribed to the room's live fan-out. `slice` is the
 * read after the cursor (or, for a cursor of another epoch, from the oldest
 * retained message); without a cursor it only gives the room's position.
 */
export function planResume(
  roomId: string,
  members: readonly string[],
  cursor: Cursor | undefined,
  slice: HistorySlice,
): ResumePlan {
  const lastId = slice.lastOffset > 0 ? formatMessageId(slice.epoch, slice.lastOffset) : null;
  const recovered = recoveredAfter(cursor, slice);
  return {
    ready: { type: "ready", roomId, members, lastId, recovered },
    replay: cursor === undefined ? [] : slice.messages,
    skipUpTo: slice.lastOffset,
  };
}

/** A cursor of the room's epoch past its top: the store's history went back in time. */
export function isAheadOfHistory(cursor: Cursor | undefined, slice: HistorySlice): boolean {
  return cursor !== undefined && cursor.epoch === slice.epoch && cursor.offset > slice.lastOffset;
}

/**
 * Whether `slice` (read after `cursor`) continues right after it: `null`
 * without a cursor, `false` when messages may be missing (a cursor older than
 * the retained history, of a lost history, or past its top).
 */
export function recoveredAfter(cursor: Cursor | undefined, slice: HistorySlice): boolean | null {
  if (cursor === undefined) return null;
  return (
    slice.epoch === cursor.epoch &&
    cursor.offset >= slice.firstOffset - 1 &&
    cursor.offset <= slice.lastOffset
  );
}
