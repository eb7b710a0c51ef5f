/** A binary min-heap of room ids by the sequence number of their oldest message. */
export class OldestFirst {
  readonly #seqs: number[] = [];
  readonly #rooms: string[] = [];

  get size(): number {
    return this.#seqs.length;
  }

  push(seq: number, roomId: string): void {
    let i = this.#seqs.length;
    this.#seqs.push(seq);
    this.#rooms.push(roomId);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((this.#seqs[parent] as number) <= seq) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  /** The entry with the smallest sequence number, removed; undefined when empty. */
  pop(): { seq: number; roomId: string } | undefined {
    if (this.#seqs.length === 0) return undefined;
    const top = { seq: this.#seqs[0] as number, roomId: this.#rooms[0] as string };
    const lastSeq = this.#seqs.pop() as number;
    const lastRoom = this.#rooms.pop() as string;
    if (this.#seqs.length > 0) {
      this.#seqs[0] = lastSeq;
      this.#rooms[0] = lastRoom;
      for (let i = 0; ; ) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < this.#seqs.length && (this.#seqs[left] as number) < (this.#seqs[smallest] as number))
          smallest = left;
        if (right < this.#seqs.length && (this.#seqs[right] as number) < (this.#seqs[smallest] as number))
          smallest = right;
        if (smallest === i) break;
        this.#swap(i, smallest);
        i = smallest;
      }
    }
    return top;
  }

  #swap(a: number, b: number): void {
    [this.#seqs[a], this.#seqs[b]] = [this.#seqs[b] as number, this.#seqs[a] as number];
    [this.#rooms[a], this.#rooms[b]] = [this.#rooms[b] as string, this.#rooms[a] as string];
  }
}
