/** `take` and `until` over a `next()` that resolves `undefined` at the end. */
export interface Reading<T> {
  /** The next `count` items; fails if the end comes first. */
  take(count: number): Promise<T[]>;
  /** Skips items until one satisfies `predicate`; fails if the end comes first. */
  until(predicate: (item: T) => boolean): Promise<T>;
}

/** `ending` names the end in failures: "The stream ended", "The socket closed". */
export function reading<T>(next: () => Promise<T | undefined>, ending: string): Reading<T> {
  return {
    take: async (count) => {
      const taken: T[] = [];
      while (taken.length < count) {
        const item = await next();
        if (item === undefined) throw new Error(`${ending} after ${taken.length} of ${count} expected items`);
        taken.push(item);
      }
      return taken;
    },
    until: async (predicate) => {
      for (;;) {
        const item = await next();
        if (item === undefined) throw new Error(`${ending} before the expected item`);
        if (predicate(item)) return item;
      }
    },
  };
}
