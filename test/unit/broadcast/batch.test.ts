import { describe, expect, it } from "vitest";
import { Broadcaster } from "../../../src/broadcast/index.js";
import { range } from "./support.js";

describe("The batch path", () => {
  it("nextBatch() resolves with every value queued, in order", async () => {
    const broadcaster = new Broadcaster<number>();
    const subscription = broadcaster.subscribe();
    for (const value of range(0, 10)) broadcaster.submit(value);
    await expect(subscription.nextBatch()).resolves.toEqual(range(0, 10));
    expect(subscription.queued).toBe(0);
    // Nothing is left behind: the next batch holds only the sentinel.
    broadcaster.submit(-1);
    await expect(subscription.nextBatch()).resolves.toEqual([-1]);
  });

  it("a waiting nextBatch() wakes once with the whole synchronous burst", async () => {
    const broadcaster = new Broadcaster<number>();
    const subscription = broadcaster.subscribe();
    const pending = subscription.nextBatch();
    for (const value of range(0, 64)) broadcaster.submit(value);
    await expect(pending).resolves.toEqual(range(0, 64));
  });

  it("batches() yields each burst in order and ends after close()", async () => {
    const broadcaster = new Broadcaster<number>();
    const subscription = broadcaster.subscribe();
    const batches = subscription.batches();
    const first = batches.next();
    broadcaster.submit(1);
    broadcaster.submit(2);
    await expect(first).resolves.toEqual({ value: [1, 2], done: false });
    for (const value of [3, 4, 5]) broadcaster.submit(value);
    broadcaster.close();
    await expect(batches.next()).resolves.toEqual({ value: [3, 4, 5], done: false });
    await expect(batches.next()).resolves.toEqual({ value: undefined, done: true });
  });

  it("next() and nextBatch() can be mixed without losing or repeating a value", async () => {
    const broadcaster = new Broadcaster<number>();
    const subscription = broadcaster.subscribe();
    for (const value of range(0, 5)) broadcaster.submit(value);
    await expect(subscription.next()).resolves.toEqual({ value: 0, done: false });
    await expect(subscription.nextBatch()).resolves.toEqual([1, 2, 3, 4]);
    const pending = subscription.next();
    broadcaster.submit(5);
    broadcaster.submit(6);
    await expect(pending).resolves.toEqual({ value: 5, done: false });
    await expect(subscription.nextBatch()).resolves.toEqual([6]);
  });
});

describe("Overlapping calls", () => {
  it("overlapping next() calls settle in call order with values in submit order", async () => {
    const broadcaster = new Broadcaster<number>();
    const subscription = broadcaster.subscribe();
    const settled: string[] = [];
    const call = (name: string) =>
      subscription.next().then((result) => {
        settled.push(`${name}=${String(result.value)}`);
      });
    const first = call("first");
    const second = call("second");
    broadcaster.submit(1);
    broadcaster.submit(2);
    // Called after two values arrived but before the second call has taken its value.
    const third = call("third");
    broadcaster.submit(3);
    await Promise.all([first, second, third]);
    expect(settled).toEqual(["first=1", "second=2", "third=3"]);
  });

  it("a next() called while a woken nextBatch() is pending does not take values from that batch", async () => {
    const broadcaster = new Broadcaster<number>();
    const subscription = broadcaster.subscribe();
    const batch = subscription.nextBatch();
    broadcaster.submit(1);
    broadcaster.submit(2);
    const next = subscription.next();
    broadcaster.submit(3);
    // The batch drains after the synchronous burst, so it holds 3 as well; next() waits behind it.
    await expect(batch).resolves.toEqual([1, 2, 3]);
    broadcaster.submit(4);
    await expect(next).resolves.toEqual({ value: 4, done: false });
  });

  it("overlapping nextBatch() calls settle in call order with disjoint batches", async () => {
    const broadcaster = new Broadcaster<number>();
    const subscription = broadcaster.subscribe();
    const settled: (number[] | undefined)[] = [];
    const call = () =>
      subscription.nextBatch().then((batch) => {
        settled.push(batch);
      });
    const first = call();
    const second = call();
    broadcaster.submit(1);
    broadcaster.submit(2);
    const third = call();
    broadcaster.submit(3);
    await first;
    broadcaster.submit(4);
    broadcaster.close();
    await Promise.all([second, third]);
    expect(settled).toEqual([[1, 2, 3], [4], undefined]);
  });

  it("overlapping calls pending when the subscription ends all settle, in call order", async () => {
    const broadcaster = new Broadcaster<number>();
    const subscription = broadcaster.subscribe();
    const settled: string[] = [];
    const calls = [
      subscription.next().then((r) => settled.push(`next:${String(r.value)}`)),
      subscription.nextBatch().then((b) => settled.push(`batch:${String(b)}`)),
      subscription.next().then((r) => settled.push(`next:${String(r.value)}`)),
    ];
    broadcaster.submit(1);
    broadcaster.close();
    await Promise.all(calls);
    expect(settled).toEqual(["next:1", "batch:undefined", "next:undefined"]);
  });
});
