import type { Writable } from "node:stream";

/**
 * One timer for every open stream of an adapter instead of one per stream:
 * each tick writes `frame` to every stream with nothing unsent. The timer runs
 * only while streams are open, and never keeps the process alive.
 */
export class HeartbeatSweep {
  readonly #frame: string;
  readonly #intervalMs: number;
  readonly #streams = new Set<Writable>();
  #timer: NodeJS.Timeout | undefined;

  constructor(frame: string, intervalMs: number) {
    this.#frame = frame;
    this.#intervalMs = intervalMs;
  }

  /** Starts beating on `stream`; the returned function stops it. */
  add(stream: Writable): () => void {
    this.#streams.add(stream);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#beat(), this.#intervalMs);
      this.#timer.unref();
    }
    return () => {
      this.#streams.delete(stream);
      if (this.#streams.size === 0 && this.#timer !== undefined) {
        clearInterval(this.#timer);
        this.#timer = undefined;
      }
    };
  }

  #beat(): void {
    for (const stream of this.#streams) {
      if (!stream.destroyed && stream.writableLength === 0) stream.write(this.#frame);
    }
  }
}
