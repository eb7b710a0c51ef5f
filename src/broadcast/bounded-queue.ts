/**
 * A FIFO ring buffer that grows by doubling up to `limit` items.
 * Growing lazily keeps ten thousand idle subscribers cheap; the limit keeps a
 * slow one from growing without bound. The caller decides what to do when full.
 */
export class BoundedQueue<T> {
  readonly limit: number;
  #items: (T | undefined)[];
  #head = 0;
  #size = 0;

  constructor(limit: number) {
    this.limit = limit;
    this.#items = new Array<T | undefined>(Math.min(8, ceilPowerOfTwo(limit)));
  }

  get size(): number {
    return this.#size;
  }

  get isFull(): boolean {
    return this.#size >= this.limit;
  }

  /** Appends a value; the caller must check `isFull` first. */
  push(value: T): void {
    if (this.#size === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#size) & (this.#items.length - 1)] = value;
    this.#size++;
  }

  /** Removes and returns the oldest value, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const value = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & (this.#items.length - 1);
    this.#size--;
    return value;
  }

  /** Removes and returns every queued value, oldest first. */
  drain(): T[] {
    const out = new Array<T>(this.#size);
    for (let i = 0; i < out.length; i++) out[i] = this.shift() as T;
    return out;
  }

  clear(): void {
    this.#items = new Array<T | undefined>(Math.min(8, this.#items.length));
    this.#head = 0;
    this.#size = 0;
  }

  #grow(): void {
    const old = this.#items;
    const next = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.#size; i++) next[i] = old[(this.#head + i) & (old.length - 1)];
    this.#items = next;
    this.#head = 0;
  }
}

function ceilPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
