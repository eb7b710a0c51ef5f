import { describe, expect, it } from "vitest";
import { Broadcaster, SlowConsumerError } from "../../../src/broadcast/index.js";
import { range } from "./support.js";

/** Lets every queued microtask (the sinks' deliveries) run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("The push path: consume(sink)", () => {
  it("calls the sink once per synchronous burst with everything submitted, in order", async () => {
    const broadcaster = new Broadcaster<number>();
    const batches: number[][] = [];
    broadcaster.subscribe().consume((batch) => batches.push([...batch]));
    for (const value of range(0, 5)) broadcaster.submit(value);
    expect(batches).toEqual([]); // not inside submit: after the burst
    await settle();
    broadcaster.submit(5);
    await settle();
    broadcaster.submit(6);
    broadcaster.submit(7);
    await settle();
    expect(batches).toEqual([range(0, 5), [5], [6, 7]]);
  });

  it("delivers what was queued before consume() started", async () => {
    const broadcaster = new Broadcaster<number>();
    const subscription = broadcaster.subscribe();
    broadcaster.submit(1);
    broadcaster.submit(2);
    const batches: number[][] = [];
    subscription.consume((batch) => batches.push([...batch]));
    await settle();
    expect(batches).toEqual([[1, 2]]);
  });

  it("hands sinks woken by the same burst one shared array", async () => {
    const broadcaster = new Broadcaster<string>();
    const seen: (readonly string[])[] = [];
    for (let i = 0; i < 3; i++) broadcaster.subscribe().consume((batch) => seen.push(batch));
    broadcaster.submit("a");
    await settle();
    expect(seen).toHaveLength(3);
    expect(seen[1]).toBe(seen[0]);
    expect(seen[2]).toBe(seen[0]);
    expect(seen[0]).toEqual(["a"]);
  });

  it("pause() holds values in the queue and resume() delivers them in one batch", async () => {
    const broadcaster = new Broadcaster<number>();
    const subscription = broadcaster.subscribe();
    const batches: number[][] = [];
    subscription.consume((batch) => batches.push([...batch]));
    subscription.pause();
    for (const value of range(0, 4)) broadcaster.submit(value);
    await settle();
    expect(batches).toEqual([]);
    expect(subscription.queued).toBe(4);
    subscription.resume();
    await settle();
    expect(batches).toEqual([range(0, 4)]);
    expect(subscription.queued).toBe(0);
  });

  it("a paused sink that falls a queue behind ends with SlowConsumerError, and is not called again", async () => {
    const broadcaster = new Broadcaster<number>({ queueSize: 3 });
    const subscription = broadcaster.subscribe();
    const keeping = broadcaster.subscribe();
    const batches: number[][] = [];
    const kept: number[] = [];
    subscription.consume((batch) => batches.push([...batch]));
    keeping.consume((batch) => kept.push(...batch));
    subscription.pause();
    for (const value of range(0, 3)) broadcaster.submit(value);
    await settle(); // the other sink takes them; the paused one keeps all three queued
    expect(subscription.queued).toBe(3);
    broadcaster.submit(3);
    broadcaster.submit(4);
    const error = await subscription.closed;
    expect(error).toBeInstanceOf(SlowConsumerError);
    subscription.resume();
    await settle();
    expect(batches).toEqual([]);
    expect(kept).toEqual(range(0, 5));
    expect(broadcaster.subscriberCount).toBe(1);
  });

  it("a paused drop-oldest sink keeps the newest values and counts the rest", async () => {
    const broadcaster = new Broadcaster<number>({ queueSize: 2, overflow: "drop-oldest" });
    const subscription = broadcaster.subscribe();
    const batches: number[][] = [];
    subscription.consume((batch) => batches.push([...batch]));
    subscription.pause();
    for (const value of range(0, 5)) broadcaster.submit(value);
    subscription.resume();
    await settle();
    expect(batches).toEqual([[3, 4]]);
    expect(subscription.dropped).toBe(3);
  });

  it("close() feeds the sink what was queued, then resolves closed", async () => {
    const broadcaster = new Broadcaster<number>();
    const subscription = broadcaster.subscribe();
    const batches: number[][] = [];
    subscription.consume((batch) => batches.push([...batch]));
    broadcaster.submit(1);
    broadcaster.submit(2);
    broadcaster.close();
    await expect(subscription.closed).resolves.toBeUndefined();
    expect(batches).toEqual([[1, 2]]);
  });

  it("a sink that unsubscribes is not called again and leaves the broadcaster", async () => {
    const broadcaster = new Broadcaster<number>();
    const subscription = broadcaster.subscribe();
    const batches: number[][] = [];
    subscription.consume((batch) => {
      batches.push([...batch]);
      subscription.unsubscribe();
    });
    broadcaster.submit(1);
    await settle();
    broadcaster.submit(2);
    await settle();
    expect(batches).toEqual([[1]]);
    expect(broadcaster.subscriberCount).toBe(0);
    await expect(subscription.closed).resolves.toBeUndefined();
  });

  it("is one way of reading: next() and nextBatch() reject after consume(), and consume() twice throws", async () => {
    const broadcaster = new Broadcaster<number>();
    const subscription = broadcaster.subscribe();
    subscription.consume(() => {});
    await expect(subscription.next()).rejects.toBeInstanceOf(TypeError);
    await expect(subscription.nextBatch()).rejects.toBeInstanceOf(TypeError);
    expect(() => subscription.consume(() => {})).toThrow(TypeError);
    const reading = broadcaster.subscribe();
    const pending = reading.next();
    expect(() => reading.consume(() => {})).toThrow(TypeError);
    broadcaster.submit(1);
    await expect(pending).resolves.toEqual({ value: 1, done: false });
  });
});
