import type { Message } from "./events.js";

/**
 * The last `limit` messages of one room, addressable by offset. Offsets are
 * contiguous, so a message's index is `offset - firstOffset`.
 */
export class MessageHistory {
  readonly #limit: number;
  #messages: Message[] = [];
  #start = 0;
  #lastOffset = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get size(): number {
    return this.#messages.length - this.#start;
  }

  get lastOffset(): number {
    return this.#lastOffset;
  }

  get firstOffset(): number {
    return this.#lastOffset - this.size + 1;
  }

  get last(): Message | undefined {
    return this.size === 0 ? undefined : this.#messages[this.#messages.length - 1];
  }

  /** Stores the message under the next offset, forgetting the oldest past the limit. */
  append(message: Message): void {
    this.#messages.push(message);
    this.#lastOffset++;
    if (this.size > this.#limit) {
      this.#start++;
      // Compact now and then instead of shifting on every append.
      if (this.#start >= this.#limit) {
        this.#messages = this.#messages.slice(this.#start);
        this.#start = 0;
      }
    }
  }

  /** Messages after `afterOffset` (oldest first), at most `limit`; or the latest `limit` when `latest`. */
  slice(afterOffset: number | undefined, limit: number, latest: boolean): Message[] {
    const end = this.#messages.length;
    if (afterOffset === undefined) {
      const from = latest ? Math.max(this.#start, end - limit) : this.#start;
      return this.#messages.slice(from, Math.min(end, from + limit));
    }
    const from = this.#start + Math.max(0, afterOffset + 1 - this.firstOffset);
    return this.#messages.slice(from, Math.min(end, from + limit));
  }
}
