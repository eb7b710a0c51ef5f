/**
 * The baseline to beat: a broadcaster written the obvious way (the
 * graphql-subscriptions `PubSubAsyncIterator` shape). Each subscriber keeps an
 * unbounded array of values and an array of waiting `next()` resolvers; a value
 * that finds no waiter is pushed, and `next()` takes it with `shift()`; every
 * wait allocates a new promise. Benchmark use only.
 */
export class NaiveBroadcaster<T> {
  readonly #subscribers = new Set<NaiveSubscription<T>>();

  subscribe(): NaiveSubscription<T> {
    const subscription = new NaiveSubscription<T>(() => this.#subscribers.delete(subscription));
    this.#subscribers.add(subscription);
    return subscription;
  }

  submit(value: T): void {
    for (const subscription of this.#subscribers) subscription.push(value);
  }

  close(): void {
    for (const subscription of this.#subscribers) subscription.end();
    this.#subscribers.clear();
  }
}

export class NaiveSubscription<T> implements AsyncIterableIterator<T, undefined, undefined> {
  readonly #values: T[] = [];
  readonly #waiting: ((result: IteratorResult<T, undefined>) => void)[] = [];
  readonly #leave: () => void;
  #done = false;

  constructor(leave: () => void) {
    this.#leave = leave;
  }

  push(value: T): void {
    const resolve = this.#waiting.shift();
    if (resolve !== undefined) resolve({ value, done: false });
    else this.#values.push(value);
  }

  end(): void {
    this.#done = true;
    for (const resolve of this.#waiting.splice(0)) resolve({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.#values.length > 0) return Promise.resolve({ value: this.#values.shift() as T, done: false });
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  return(): Promise<IteratorResult<T, undefined>> {
    this.#leave();
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
