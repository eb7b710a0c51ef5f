/**
 * Runs async operations one at a time, in call order: the manager's "one
 * ordered event loop". A failed operation fails its own caller only.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(operation);
    this.#tail = result.then(noop, noop);
    return result;
  }

  /** Resolves once everything queued so far has finished. */
  idle(): Promise<void> {
    return this.#tail.then(noop);
  }
}

function noop(): void {}
