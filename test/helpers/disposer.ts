/** Collects clean-up steps and runs them, newest first, in `afterEach`. */
export class Disposer {
  readonly #steps: (() => unknown)[] = [];

  /** Registers `step` to run at disposal; returns `value` for chaining. */
  add<T>(value: T, step: (value: T) => unknown): T {
    this.#steps.push(() => step(value));
    return value;
  }

  /** Registers a step that needs no value. */
  defer(step: () => unknown): void {
    this.#steps.push(step);
  }

  async dispose(): Promise<void> {
    const errors: unknown[] = [];
    for (const step of this.#steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, "clean-up failed");
  }
}
