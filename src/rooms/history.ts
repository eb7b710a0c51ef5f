import type { Message } from "./events.js";

/** Bytes a retained message is counted for beyond its text and user id (the object, its id and time). */
export const MESSAGE_OVERHEAD_BYTES = 128;

/** What a message costs the history: its text and user id in UTF-8, plus the fixed overhead. */
export function retainedBytes(message: Message): number {
  return Buffer.byteLength(message.text) + Buffer.byteLength(message.userId) + MESSAGE_OVERHEAD_BYTES;
}

interface Entry {
  readonly message: Message;
  /** Store-wide append order, so the store can evict the oldest message of all rooms first. */
  readonly seq: number;
  readonly bytes: number;
}

/**
 * The last `limit` messages of one room, addressable by offset, with the
 * bytes they hold. Offsets are contiguous, so a message's index is
 * `offset - firstOffset`; dropping the oldest keeps that true.
 */
export class MessageHistory {
  readonly #limit: number;
  #entries: Entry[] = [];
  #start = 0;
  #lastOffset = 0;
  #bytes = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get size(): number {
    return this.#entries.length - this.#start;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get lastOffset(): number {
    return this.#lastOffset;
  }

  get firstOffset(): number {
    return this.#lastOffset - this.size + 1;
  }

  /** The store-wide sequence number of the oldest retained message. */
  get firstSeq(): number | undefined {
    return this.size === 0 ? undefined : this.#entries[this.#start]?.seq;
  }

  get last(): Message | undefined {
    return this.size === 0 ? undefined : this.#entries[this.#entries.length - 1]?.message;
  }

  /** Stores the message under the next offset; returns the bytes freed by forgetting the oldest past the limit. */
  append(message: Message, seq: number, bytes = retainedBytes(message)): number {
    this.#entries.push({ message, seq, bytes });
    this.#bytes += bytes;
    this.#lastOffset++;
    return this.size > this.#limit ? this.dropOldest() : 0;
  }

  /** Forgets the oldest message; returns the bytes it held (0 when empty). */
  dropOldest(): number {
    const oldest = this.#entries[this.#start];
    if (oldest === undefined) return 0;
    this.#start++;
    this.#bytes -= oldest.bytes;
    // Compact once dropped entries outnumber live ones (amortised O(1)), so what
    // was dropped is not kept alive: a byte-bounded room may be far below `limit`.
    if (this.#start >= Math.max(32, this.size)) {
      this.#entries = this.#entries.slice(this.#start);
      this.#start = 0;
    }
    return oldest.bytes;
  }

  /** Messages after `afterOffset` (oldest first), at most `limit`; or the latest `limit` when `latest`. */
  slice(afterOffset: number | undefined, limit: number, latest: boolean): Message[] {
    const end = this.#entries.length;
    let from: number;
    if (afterOffset === undefined) from = latest ? Math.max(this.#start, end - limit) : this.#start;
    else from = this.#start + Math.max(0, afterOffset + 1 - this.firstOffset);
    return this.#entries.slice(from, Math.min(end, from + limit)).map((entry) => entry.message);
  }
}
