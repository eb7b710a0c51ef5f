import { parseCursor } from "./cursor.js";
import { HistoryLostError } from "./errors.js";
import type { Message } from "./events.js";
import type { HistorySlice } from "./store.js";

export type ReadAfter = (afterOffset: number, limit: number) => Promise<HistorySlice | undefined>;

/**
 * The rest of a resume's replay, read a page at a time as the listener drains
 * it, so a listener never holds more replayed messages than its queue allows.
 * The replay ends at the room's top when the listener opened (`upTo`); what
 * follows arrives live. History trimmed or replaced between two pages is a
 * `HistoryLostError`: the listener resumes from the last id it delivered.
 */
export class ReplayPages {
  readonly #roomId: string;
  readonly #epoch: string;
  readonly #upTo: number;
  readonly #read: ReadAfter;
  #after: number;

  constructor(roomId: string, epoch: string, after: number, upTo: number, read: ReadAfter) {
    this.#roomId = roomId;
    this.#epoch = epoch;
    this.#after = after;
    this.#upTo = upTo;
    this.#read = read;
  }

  get done(): boolean {
    return this.#after >= this.#upTo;
  }

  /** The next at most `limit` messages, oldest first. */
  async next(limit: number): Promise<readonly Message[]> {
    const slice = await this.#read(this.#after, Math.min(limit, this.#upTo - this.#after));
    if (slice === undefined) {
      // Deleted meanwhile: the room's `deleted` event follows live.
      this.#after = this.#upTo;
      return [];
    }
    const first = slice.messages[0];
    const last = slice.messages.at(-1);
    if (
      slice.epoch !== this.#epoch ||
      first === undefined ||
      last === undefined ||
      offsetOf(first) !== this.#after + 1
    ) {
      throw new HistoryLostError(this.#roomId);
    }
    this.#after = offsetOf(last);
    return slice.messages;
  }
}

function offsetOf(message: Message): number {
  return parseCursor(message.id).offset;
}
