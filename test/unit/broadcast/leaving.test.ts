import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { Broadcaster, type Subscription } from "../../../src/broadcast/index.js";

const DONE = { value: undefined, done: true };

/** A broadcaster whose onIdle calls are counted. */
function idleCounting<T>(): { broadcaster: Broadcaster<T>; idle: () => number } {
  let calls = 0;
  const broadcaster = new Broadcaster<T>({
    onIdle: () => {
      calls++;
    },
  });
  return { broadcaster, idle: () => calls };
}

describe("Leaving a subscription", () => {
  it("unsubscribes when a for await loop is left with break", async () => {
    const { broadcaster, idle } = idleCounting<number>();
    const subscription = broadcaster.subscribe();
    broadcaster.submit(1);
    broadcaster.submit(2);
    const seen: number[] = [];
    for await (const value of subscription) {
      seen.push(value);
      break;
    }
    expect(seen).toEqual([1]);
    expect(broadcaster.subscriberCount).toBe(0);
    expect(idle()).toBe(1);
    expect(broadcaster.submit(3)).toBe(0);
  });

  it("unsubscribes when a for await loop is left with return", async () => {
    const { broadcaster, idle } = idleCounting<number>();
    const subscription = broadcaster.subscribe();
    const firstValue = async (): Promise<number | undefined> => {
      for await (const value of subscription) return value;
      return undefined;
    };
    const first = firstValue();
    broadcaster.submit(7);
    expect(await first).toBe(7);
    expect(broadcaster.subscriberCount).toBe(0);
    expect(idle()).toBe(1);
  });

  it("unsubscribes when the body of a for await loop throws", async () => {
    const { broadcaster, idle } = idleCounting<number>();
    const subscription = broadcaster.subscribe();
    broadcaster.submit(1);
    const failure = new Error("consumer failed");
    const loop = async (): Promise<void> => {
      for await (const _value of subscription) throw failure;
    };
    await expect(loop()).rejects.toBe(failure);
    expect(broadcaster.subscriberCount).toBe(0);
    expect(idle()).toBe(1);
    await expect(subscription.closed).resolves.toBeUndefined();
  });

  it("unsubscribes when its AbortSignal aborts and ends a loop waiting in next() normally", async () => {
    const { broadcaster, idle } = idleCounting<number>();
    const controller = new AbortController();
    const subscription = broadcaster.subscribe({ signal: controller.signal });
    const seen: number[] = [];
    const loop = (async () => {
      for await (const value of subscription) seen.push(value);
    })();
    broadcaster.submit(1);
    controller.abort();
    await loop;
    expect(seen).toEqual([1]);
    expect(broadcaster.subscriberCount).toBe(0);
    expect(idle()).toBe(1);
    await expect(subscription.closed).resolves.toBeUndefined();
  });

  it("returns an ended subscription that was never counted when the signal is already aborted", async () => {
    const { broadcaster, idle } = idleCounting<number>();
    const controller = new AbortController();
    controller.abort();
    const subscription = broadcaster.subscribe({ signal: controller.signal });
    expect(broadcaster.subscriberCount).toBe(0);
    expect(broadcaster.submit(1)).toBe(0);
    await expect(subscription.next()).resolves.toEqual(DONE);
    await expect(subscription.closed).resolves.toBeUndefined();
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    expect(idle()).toBe(0);
  });

  it("ends a subscription whose iterator was never started when return() is called", async () => {
    const { broadcaster, idle } = idleCounting<number>();
    const subscription = broadcaster.subscribe();
    broadcaster.submit(1);
    await expect(subscription.return()).resolves.toEqual(DONE);
    expect(broadcaster.subscriberCount).toBe(0);
    expect(idle()).toBe(1);
    // Values queued before return() are discarded, later ones never arrive.
    broadcaster.submit(2);
    expect(subscription.queued).toBe(0);
    await expect(subscription.next()).resolves.toEqual(DONE);
  });

  it("settles a pending next() with done when return() is called", async () => {
    const broadcaster = new Broadcaster<number>();
    const subscription = broadcaster.subscribe();
    const pending = subscription.next();
    await subscription.return();
    await expect(pending).resolves.toEqual(DONE);
  });

  it("settles every overlapping pending next() with done when return() is called", async () => {
    const broadcaster = new Broadcaster<number>();
    const subscription = broadcaster.subscribe();
    const pending = [subscription.next(), subscription.next(), subscription.next()];
    subscription.unsubscribe();
    await expect(Promise.all(pending)).resolves.toEqual([DONE, DONE, DONE]);
  });

  it("settles a pending next() with done when the signal aborts", async () => {
    const broadcaster = new Broadcaster<number>();
    const controller = new AbortController();
    const subscription = broadcaster.subscribe({ signal: controller.signal });
    const pending = subscription.next();
    controller.abort();
    await expect(pending).resolves.toEqual(DONE);
  });

  it("settles a pending next() with done when the broadcaster closes", async () => {
    const broadcaster = new Broadcaster<number>();
    const subscription = broadcaster.subscribe();
    const pending = subscription.next();
    broadcaster.close();
    await expect(pending).resolves.toEqual(DONE);
  });

  it.each([
    ["return()", (s: Subscription<number>, _c: AbortController, _b: Broadcaster<number>) => void s.return()],
    ["abort", (_s: Subscription<number>, c: AbortController, _b: Broadcaster<number>) => c.abort()],
    ["close()", (_s: Subscription<number>, _c: AbortController, b: Broadcaster<number>) => b.close()],
  ])("settles a pending nextBatch() with undefined on %s", async (_name, end) => {
    const broadcaster = new Broadcaster<number>();
    const controller = new AbortController();
    const subscription = broadcaster.subscribe({ signal: controller.signal });
    const pending = subscription.nextBatch();
    end(subscription, controller, broadcaster);
    await expect(pending).resolves.toBeUndefined();
  });

  it.each([
    ["return()", async (s: Subscription<number>, _b: Broadcaster<number>) => void (await s.return())],
    [
      "break",
      async (s: Subscription<number>, b: Broadcaster<number>) => {
        b.submit(1);
        for await (const _value of s) break;
      },
    ],
    ["close()", async (_s: Subscription<number>, b: Broadcaster<number>) => b.close()],
    [
      "overflow",
      async (_s: Subscription<number>, b: Broadcaster<number>) => {
        b.submit(1);
        b.submit(2);
      },
    ],
  ])("removes its abort listener when it ends by %s", async (_name, end) => {
    const broadcaster = new Broadcaster<number>({ queueSize: 1 });
    const controller = new AbortController();
    const subscription = broadcaster.subscribe({ signal: controller.signal });
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
    await end(subscription, broadcaster);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("calls onIdle each time the last subscriber leaves, and not while others remain", () => {
    const { broadcaster, idle } = idleCounting<number>();
    const a = broadcaster.subscribe();
    const b = broadcaster.subscribe();
    a.unsubscribe();
    expect(idle()).toBe(0);
    b.unsubscribe();
    expect(idle()).toBe(1);
    const c = broadcaster.subscribe();
    c.unsubscribe();
    expect(idle()).toBe(2);
  });

  it("can be ended any number of times and any number of ways, leaving only once", async () => {
    const { broadcaster, idle } = idleCounting<number>();
    const controller = new AbortController();
    const subscription = broadcaster.subscribe({ signal: controller.signal });
    const other = broadcaster.subscribe();
    await subscription.return();
    await subscription.return();
    subscription.unsubscribe();
    controller.abort();
    expect(broadcaster.subscriberCount).toBe(1);
    expect(idle()).toBe(0);
    // Had the second removal taken `other`'s slot, the sentinel would not reach it.
    expect(broadcaster.submit(42)).toBe(1);
    await expect(other.next()).resolves.toEqual({ value: 42, done: false });
  });

  it("unsubscribes when a loop over batches() is left with break", async () => {
    const { broadcaster, idle } = idleCounting<number>();
    const subscription = broadcaster.subscribe();
    broadcaster.submit(1);
    for await (const _batch of subscription.batches()) break;
    expect(broadcaster.subscriberCount).toBe(0);
    expect(idle()).toBe(1);
  });
});
