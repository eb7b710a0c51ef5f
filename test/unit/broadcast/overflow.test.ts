import { describe, expect, it } from "vitest";
import {
  BroadcastError,
  Broadcaster,
  SlowConsumerError,
  type Subscription,
} from "../../../src/broadcast/index.js";
import { collect, range } from "./support.js";

const DONE = { value: undefined, done: true };

describe('Overflow policy "drop-oldest"', () => {
  it("keeps the newest queueSize values and counts exactly how many it dropped", async () => {
    const broadcaster = new Broadcaster<number>({ queueSize: 3, overflow: "drop-oldest" });
    const subscription = broadcaster.subscribe();
    for (const value of range(1, 11)) expect(broadcaster.submit(value)).toBe(1);
    expect(subscription.dropped).toBe(7);
    expect(subscription.queued).toBe(3);
    expect(broadcaster.subscriberCount).toBe(1);
    broadcaster.close();
    expect(await collect(subscription)).toEqual([8, 9, 10]);
  });

  it("accumulates dropped counts across bursts and never drops while it keeps up", async () => {
    const broadcaster = new Broadcaster<number>({ queueSize: 2, overflow: "drop-oldest" });
    const subscription = broadcaster.subscribe();
    broadcaster.submit(1);
    broadcaster.submit(2);
    expect(subscription.dropped).toBe(0);
    broadcaster.submit(3);
    expect(subscription.dropped).toBe(1);
    await expect(subscription.next()).resolves.toEqual({ value: 2, done: false });
    await expect(subscription.next()).resolves.toEqual({ value: 3, done: false });
    for (const value of range(4, 9)) broadcaster.submit(value);
    expect(subscription.dropped).toBe(4);
    await expect(subscription.nextBatch()).resolves.toEqual([7, 8]);
  });

  it("hands a value to a waiting next() without counting it against the queue", async () => {
    const broadcaster = new Broadcaster<number>({ queueSize: 1, overflow: "drop-oldest" });
    const subscription = broadcaster.subscribe();
    const pending = subscription.next();
    broadcaster.submit(1);
    broadcaster.submit(2);
    expect(subscription.dropped).toBe(0);
    await expect(pending).resolves.toEqual({ value: 1, done: false });
    await expect(subscription.next()).resolves.toEqual({ value: 2, done: false });
  });
});

describe('Overflow policy "error" (the default)', () => {
  it("holds exactly queueSize unread values and ends the subscription on the next one", async () => {
    const broadcaster = new Broadcaster<number>({ queueSize: 3 });
    const subscription = broadcaster.subscribe();
    expect([1, 2, 3].map((value) => broadcaster.submit(value))).toEqual([1, 1, 1]);
    expect(broadcaster.subscriberCount).toBe(1);
    expect(broadcaster.submit(4)).toBe(0);
    expect(broadcaster.subscriberCount).toBe(0);
    expect(subscription.queued).toBe(0);
    expect(subscription.dropped).toBe(0);

    const error = await subscription.next().then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(SlowConsumerError);
    expect(error).toBeInstanceOf(BroadcastError);
    expect(error).toMatchObject({ code: "SLOW_CONSUMER", name: "SlowConsumerError", queueSize: 3 });
    await expect(subscription.next()).resolves.toEqual(DONE);
    await expect(subscription.closed).resolves.toBe(error);
  });

  it("applies a default queueSize of 1024", async () => {
    const broadcaster = new Broadcaster<number>();
    const subscription = broadcaster.subscribe();
    for (const value of range(0, 1024)) expect(broadcaster.submit(value)).toBe(1);
    expect(subscription.queued).toBe(1024);
    expect(broadcaster.submit(1024)).toBe(0);
    await expect(subscription.next()).rejects.toBeInstanceOf(SlowConsumerError);
  });

  it("makes a for await loop throw SlowConsumerError", async () => {
    const broadcaster = new Broadcaster<number>({ queueSize: 1 });
    const subscription = broadcaster.subscribe();
    broadcaster.submit(1);
    broadcaster.submit(2);
    await expect(collect(subscription)).rejects.toBeInstanceOf(SlowConsumerError);
  });

  it("reports the error once through nextBatch(), then the end", async () => {
    const broadcaster = new Broadcaster<number>({ queueSize: 1 });
    const subscription = broadcaster.subscribe();
    broadcaster.submit(1);
    broadcaster.submit(2);
    await expect(subscription.nextBatch()).rejects.toMatchObject({ code: "SLOW_CONSUMER" });
    await expect(subscription.nextBatch()).resolves.toBeUndefined();
  });

  it("makes a woken nextBatch() report SlowConsumerError when the same burst overflowed before it drained", async () => {
    const broadcaster = new Broadcaster<number>({ queueSize: 2 });
    const subscription = broadcaster.subscribe();
    const pending = subscription.nextBatch();
    expect([1, 2, 3].map((value) => broadcaster.submit(value))).toEqual([1, 1, 0]);
    await expect(pending).rejects.toBeInstanceOf(SlowConsumerError);
    await expect(subscription.nextBatch()).resolves.toBeUndefined();
  });

  it("does not count a value handed straight to a waiting next() against the queue", async () => {
    const broadcaster = new Broadcaster<number>({ queueSize: 1 });
    const subscription = broadcaster.subscribe();
    const pending = subscription.next();
    expect(broadcaster.submit(1)).toBe(1);
    expect(broadcaster.submit(2)).toBe(1);
    expect(broadcaster.submit(3)).toBe(0);
    await expect(pending).resolves.toEqual({ value: 1, done: false });
    await expect(subscription.next()).rejects.toBeInstanceOf(SlowConsumerError);
  });

  it("calls onIdle once when an overflow removes the last subscriber, and one subscribing from it gets only later values", async () => {
    const countsSeenByOnIdle: number[] = [];
    const late: Subscription<number>[] = [];
    const broadcaster = new Broadcaster<number>({
      queueSize: 1,
      onIdle: () => {
        countsSeenByOnIdle.push(broadcaster.subscriberCount);
        late.push(broadcaster.subscribe());
      },
    });
    broadcaster.subscribe();
    broadcaster.subscribe();
    broadcaster.submit(1);
    expect(broadcaster.submit(2)).toBe(0);
    expect(countsSeenByOnIdle).toEqual([0]);
    expect(broadcaster.subscriberCount).toBe(1);
    expect(broadcaster.submit(3)).toBe(1);
    await expect(late[0]?.next()).resolves.toEqual({ value: 3, done: false });
  });
});

describe("A slow subscriber", () => {
  it.each(["error", "drop-oldest"] as const)(
    'does not affect the other subscribers (policy "%s")',
    async (overflow) => {
      const broadcaster = new Broadcaster<number>({ queueSize: 4, overflow });
      const slow = broadcaster.subscribe();
      const before = broadcaster.subscribe();
      const fast = broadcaster.subscribe();
      const after = broadcaster.subscribe();
      const received: number[] = [];
      for (const value of range(0, 100)) {
        broadcaster.submit(value);
        const result = await fast.next();
        if (!result.done) received.push(result.value);
        // Keep the neighbours in the array up to date too, so only `slow` lags.
        await before.nextBatch();
        await after.nextBatch();
      }
      expect(received).toEqual(range(0, 100));
      expect(broadcaster.subscriberCount).toBe(overflow === "error" ? 3 : 4);
      if (overflow === "error") {
        await expect(slow.closed).resolves.toBeInstanceOf(SlowConsumerError);
      } else {
        expect(slow.dropped).toBe(96);
      }
      broadcaster.submit(100);
      broadcaster.close();
      expect(await collect(before)).toEqual([100]);
      expect(await collect(after)).toEqual([100]);
    },
  );
});
