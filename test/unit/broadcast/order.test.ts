import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Broadcaster, type Subscription } from "../../../src/broadcast/index.js";
import { collect, range } from "./support.js";

describe("Broadcaster registration and order", () => {
  it("works with no options", async () => {
    const broadcaster = new Broadcaster<string>();
    const subscription = broadcaster.subscribe();
    broadcaster.submit("hello");
    await expect(subscription.next()).resolves.toEqual({ value: "hello", done: false });
  });

  it("registers a subscriber when subscribe() returns, so values submitted before the first next() are received", async () => {
    const broadcaster = new Broadcaster<number>();
    const subscription = broadcaster.subscribe();
    expect(broadcaster.subscriberCount).toBe(1);
    expect(broadcaster.submit(1)).toBe(1);
    expect(broadcaster.submit(2)).toBe(1);
    expect(subscription.queued).toBe(2);
    broadcaster.close();
    expect(await collect(subscription)).toEqual([1, 2]);
  });

  it("does not deliver values submitted before subscribe() was called", async () => {
    const broadcaster = new Broadcaster<number>();
    broadcaster.submit(1);
    const subscription = broadcaster.subscribe();
    broadcaster.submit(2);
    broadcaster.close();
    expect(await collect(subscription)).toEqual([2]);
  });

  it("returns from submit() how many subscribers the value reached", () => {
    const broadcaster = new Broadcaster<number>();
    expect(broadcaster.submit(0)).toBe(0);
    const subscriptions = [broadcaster.subscribe(), broadcaster.subscribe(), broadcaster.subscribe()];
    expect(broadcaster.submit(1)).toBe(3);
    subscriptions[0]?.unsubscribe();
    expect(broadcaster.submit(2)).toBe(2);
  });

  it("counts subscribers as they join and leave", () => {
    const broadcaster = new Broadcaster<number>();
    const a = broadcaster.subscribe();
    const b = broadcaster.subscribe();
    const c = broadcaster.subscribe();
    expect(broadcaster.subscriberCount).toBe(3);
    b.unsubscribe();
    expect(broadcaster.subscriberCount).toBe(2);
    a.unsubscribe();
    c.unsubscribe();
    expect(broadcaster.subscriberCount).toBe(0);
  });

  it("delivers the same value object once to each subscriber, never twice to one", async () => {
    const broadcaster = new Broadcaster<{ readonly id: number }>();
    const subscriptions = [broadcaster.subscribe(), broadcaster.subscribe()];
    const values = range(0, 50).map((id) => ({ id }));
    for (const value of values) broadcaster.submit(value);
    broadcaster.close();
    for (const subscription of subscriptions) {
      const received = await collect(subscription);
      expect(new Set(received).size).toBe(values.length);
      expect(received).toHaveLength(values.length);
      for (const [i, value] of received.entries()) expect(value).toBe(values[i]);
    }
  });

  it("delivers values submitted after a subscriber left to no one, and the sentinel to the rest", async () => {
    const broadcaster = new Broadcaster<string>();
    const leaving = broadcaster.subscribe();
    const staying = broadcaster.subscribe();
    await leaving.return();
    broadcaster.submit("after");
    broadcaster.submit("sentinel");
    await expect(leaving.next()).resolves.toEqual({ value: undefined, done: true });
    await expect(staying.next()).resolves.toEqual({ value: "after", done: false });
    await expect(staying.next()).resolves.toEqual({ value: "sentinel", done: false });
  });
});

type Op =
  | { readonly kind: "submit"; readonly count: number }
  | { readonly kind: "subscribe" }
  | { readonly kind: "next"; readonly sub: number; readonly calls: number; readonly await: boolean }
  | { readonly kind: "batch"; readonly sub: number }
  | { readonly kind: "leave"; readonly sub: number };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("submit" as const), count: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ kind: fc.constant("subscribe" as const) }),
  fc.record({
    kind: fc.constant("next" as const),
    sub: fc.nat(),
    calls: fc.integer({ min: 1, max: 4 }),
    await: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("batch" as const), sub: fc.nat() }),
  fc.record({ kind: fc.constant("leave" as const), sub: fc.nat() }),
);

/** A pending read and, once settled, what it produced. */
interface Read {
  readonly index: number;
  readonly promise: Promise<number[] | "done">;
}

interface Tracked {
  readonly subscription: Subscription<number>;
  /** The first value submitted after subscribe() returned. */
  readonly from: number;
  /** Reads issued, in call order. */
  readonly reads: Read[];
  /** Indexes of reads in the order they settled. */
  readonly settled: number[];
  /** next() calls issued (a batch counts as the values it must return). */
  requested: number;
  /** Set when it left: values submitted up to then. */
  leftAt: number | undefined;
}

describe("Broadcaster ordering property", () => {
  it("gives every subscriber exactly the values submitted while it was subscribed, in submit order, each once, with reads settling in call order", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArbitrary, { maxLength: 60 }), async (ops) => {
        const broadcaster = new Broadcaster<number>();
        const tracked: Tracked[] = [];
        let submitted = 0;

        const read = (t: Tracked, promise: Promise<number[] | "done">): Promise<number[] | "done"> => {
          const index = t.reads.length;
          t.reads.push({ index, promise });
          void promise.then(() => t.settled.push(index));
          return promise;
        };

        for (const op of ops) {
          const t =
            tracked.length === 0 || op.kind === "submit" || op.kind === "subscribe"
              ? undefined
              : tracked[op.sub % tracked.length];
          switch (op.kind) {
            case "submit":
              for (let i = 0; i < op.count; i++) broadcaster.submit(submitted++);
              break;
            case "subscribe":
              tracked.push({
                subscription: broadcaster.subscribe(),
                from: submitted,
                reads: [],
                settled: [],
                requested: 0,
                leftAt: undefined,
              });
              break;
            case "next": {
              if (t === undefined || t.leftAt !== undefined) break;
              const calls: Promise<unknown>[] = [];
              for (let i = 0; i < op.calls; i++) {
                const result = t.subscription.next().then((r) => (r.done ? "done" : [r.value]));
                calls.push(read(t, result));
                t.requested++;
              }
              // Awaiting is only safe when every call can be satisfied by what is already queued.
              if (op.await && t.requested <= submitted - t.from) await Promise.all(calls);
              break;
            }
            case "batch": {
              if (t === undefined || t.leftAt !== undefined) break;
              const available = submitted - t.from;
              // A batch behind unsatisfiable next() calls, or on an empty queue, would wait: skip it.
              if (t.requested >= available) break;
              await read(
                t,
                t.subscription.nextBatch().then((batch) => batch ?? "done"),
              );
              t.requested = available;
              break;
            }
            case "leave":
              if (t === undefined || t.leftAt !== undefined) break;
              t.leftAt = submitted;
              await t.subscription.return();
              break;
          }
          expect(broadcaster.subscriberCount).toBe(tracked.filter((x) => x.leftAt === undefined).length);
        }

        broadcaster.close();
        for (const t of tracked) {
          const received: number[] = [];
          let ended = false;
          for (const r of t.reads) {
            const result = await r.promise;
            if (result === "done") ended = true;
            else {
              // Once a read reports the end, no later read may carry a value.
              expect(ended).toBe(false);
              received.push(...result);
            }
          }
          received.push(...(await collect(t.subscription)));
          expect(t.settled).toEqual(range(0, t.reads.length));
          if (t.leftAt === undefined) {
            expect(received).toEqual(range(t.from, submitted));
          } else {
            // It may have left with values still queued: what it got is a gap-free prefix.
            expect(received).toEqual(range(t.from, t.from + received.length));
            expect(t.from + received.length).toBeLessThanOrEqual(t.leftAt);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
