/**
 * The values a broadcaster has submitted and some subscriber has not read
 * yet, shared by all its subscribers: each subscriber is only a cursor into
 * it. Positions grow forever (`head` is the next one written); the ring keeps
 * those from `tail` on, and grows by doubling as needed. The broadcaster trims
 * it so it never holds more than the largest subscriber queue size (+1).
 */
export class RingLog<T> {
  #items: (T | undefined)[] = new Array<T | undefined>(8);
  #mask = 7;
  /** Position of the next value written. */
  head = 0;
  /** Position of the oldest value retained. */
  tail = 0;

  get size(): number {
    return this.head - this.tail;
  }

  push(value: T): void {
    if (this.head - this.tail === this.#items.length) this.#grow();
    this.#items[this.head & this.#mask] = value;
    this.head++;
  }

  /** The value at `position` (tail ≤ position < head). */
  at(position: number): T {
    return this.#items[position & this.#mask] as T;
  }

  /** The values from `from` (inclusive) to `to` (exclusive), as a new array. */
  slice(from: number, to: number): T[] {
    const out = new Array<T>(to - from);
    for (let i = 0; i < out.length; i++) out[i] = this.#items[(from + i) & this.#mask] as T;
    return out;
  }

  /** Forgets every value before `position`, so it can be collected. */
  trimTo(position: number): void {
    while (this.tail < position) {
      this.#items[this.tail & this.#mask] = undefined;
      this.tail++;
    }
  }

  #grow(): void {
    const old = this.#items;
    const oldMask = this.#mask;
    this.#items = new Array<T | undefined>(old.length * 2);
    this.#mask = this.#items.length - 1;
    for (let p = this.tail; p < this.head; p++) this.#items[p & this.#mask] = old[p & oldMask];
  }
}

/** A log nothing is ever written to: what an ended subscription reads from. */
export const EMPTY_LOG: RingLog<never> = new RingLog<never>();
