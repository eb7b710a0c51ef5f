import type { RoomEvent, RoomListener } from "../../rooms/index.js";

/**
 * A view of a listener whose batches hold at most `maxBytes` of frames (and
 * always at least one event). The stream pump writes one batch per wake-up and
 * ends a stream whose socket then holds more than its byte bound, so a batch
 * larger than the bound — a resume replaying a long history, or a burst queued
 * in one tick — would drop a client that reads fine, before it even got the
 * headers, and again on every reconnect. Sliced, the same events are written
 * piece by piece, each waiting for `'drain'`. The slices come from events
 * already in memory: nothing more is held.
 */
export class SlicedListener implements RoomListener {
  readonly #inner: RoomListener;
  readonly #sizeOf: (event: RoomEvent) => number;
  readonly #maxBytes: number;
  #held: RoomEvent[] = [];

  constructor(inner: RoomListener, sizeOf: (event: RoomEvent) => number, maxBytes: number) {
    this.#inner = inner;
    this.#sizeOf = sizeOf;
    this.#maxBytes = maxBytes;
  }

  get roomId(): string {
    return this.#inner.roomId;
  }

  get userId(): string | undefined {
    return this.#inner.userId;
  }

  get closed(): Promise<Error | undefined> {
    return this.#inner.closed;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<RoomEvent, undefined>> {
    const held = this.#held.shift();
    return held === undefined ? this.#inner.next() : { value: held, done: false };
  }

  async nextBatch(): Promise<RoomEvent[] | undefined> {
    const events = this.#held.length > 0 ? this.#held : await this.#inner.nextBatch();
    this.#held = [];
    if (events === undefined || events.length === 1) return events;
    let bytes = 0;
    let count = 0;
    while (count < events.length) {
      bytes += this.#sizeOf(events[count] as RoomEvent);
      if (count > 0 && bytes > this.#maxBytes) break;
      count++;
    }
    if (count === events.length) return events;
    this.#held = events.slice(count);
    return events.slice(0, count);
  }

  async return(): Promise<IteratorResult<RoomEvent, undefined>> {
    this.#held = [];
    return this.#inner.return();
  }

  close(): void {
    this.#held = [];
    this.#inner.close();
  }
}
