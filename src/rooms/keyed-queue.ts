import { SerialQueue } from "./serial-queue.js";

/**
 * One `SerialQueue` per key (a room): operations on one key run in call
 * order, operations on different keys never wait on each other. A key's queue
 * is forgotten once it has nothing left to run.
 */
export class KeyedQueue {
  readonly #queues = new Map<string, { queue: SerialQueue; pending: number }>();

  run<T>(key: string, operation: () => Promise<T>): Promise<T> {
    let entry = this.#queues.get(key);
    if (entry === undefined) {
      entry = { queue: new SerialQueue(), pending: 0 };
      this.#queues.set(key, entry);
    }
    const current = entry;
    current.pending++;
    const result = current.queue.run(operation);
    const settle = () => {
      if (--current.pending === 0 && this.#queues.get(key) === current) this.#queues.delete(key);
    };
    result.then(settle, settle);
    return result;
  }

  /** Resolves once everything queued so far, on every key, has finished. */
  async idle(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((entry) => entry.queue.idle()));
  }
}
