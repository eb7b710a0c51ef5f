import { describe, expect, it } from "vitest";
import { BroadcastError, Broadcaster, BroadcasterClosedError } from "../../../src/broadcast/index.js";
import { collect } from "./support.js";

describe("Closing a broadcaster", () => {
  it("delivers what each subscriber had queued, then ends its loop normally", async () => {
    const broadcaster = new Broadcaster<number>();
    const a = broadcaster.subscribe();
    broadcaster.submit(1);
    const b = broadcaster.subscribe();
    broadcaster.submit(2);
    broadcaster.submit(3);
    broadcaster.close();
    expect(await collect(a)).toEqual([1, 2, 3]);
    expect(await collect(b)).toEqual([2, 3]);
    await expect(a.closed).resolves.toBeUndefined();
    await expect(b.closed).resolves.toBeUndefined();
  });

  it("delivers queued values through batches() too, then ends", async () => {
    const broadcaster = new Broadcaster<number>();
    const subscription = broadcaster.subscribe();
    broadcaster.submit(1);
    broadcaster.submit(2);
    broadcaster.close();
    expect(await collect(subscription.batches())).toEqual([[1, 2]]);
    await expect(subscription.nextBatch()).resolves.toBeUndefined();
  });

  it("ends a loop that is waiting for a value", async () => {
    const broadcaster = new Broadcaster<number>();
    const subscription = broadcaster.subscribe();
    const received = collect(subscription);
    broadcaster.submit(1);
    broadcaster.close();
    expect(await received).toEqual([1]);
  });

  it("drops every subscriber from the count at once and calls onIdle once", async () => {
    let idle = 0;
    const broadcaster = new Broadcaster<number>({
      onIdle: () => {
        idle++;
      },
    });
    const a = broadcaster.subscribe();
    const b = broadcaster.subscribe();
    broadcaster.submit(1);
    broadcaster.close();
    expect(broadcaster.subscriberCount).toBe(0);
    expect(broadcaster.isClosed).toBe(true);
    expect(idle).toBe(1);
    // Draining afterwards, or leaving, does not report idleness again.
    expect(await collect(a)).toEqual([1]);
    await b.return();
    broadcaster.close();
    expect(idle).toBe(1);
  });

  it("does not call onIdle when closed without subscribers", () => {
    let idle = 0;
    const broadcaster = new Broadcaster<number>({
      onIdle: () => {
        idle++;
      },
    });
    broadcaster.close();
    expect(idle).toBe(0);
  });

  it("throws BroadcasterClosedError from submit() after close()", () => {
    const broadcaster = new Broadcaster<number>();
    broadcaster.close();
    const error = catchError(() => broadcaster.submit(1));
    expect(error).toBeInstanceOf(BroadcasterClosedError);
    expect(error).toBeInstanceOf(BroadcastError);
    expect(error).toMatchObject({ code: "BROADCASTER_CLOSED", name: "BroadcasterClosedError" });
    expect((error as Error).message).toMatch(/submit/);
  });

  it("throws BroadcasterClosedError from subscribe() after close()", () => {
    const broadcaster = new Broadcaster<number>();
    broadcaster.close();
    const error = catchError(() => broadcaster.subscribe());
    expect(error).toBeInstanceOf(BroadcasterClosedError);
    expect(error).toMatchObject({ code: "BROADCASTER_CLOSED" });
    expect((error as Error).message).toMatch(/subscribe/);
  });

  it("discards the rest of the queue when a draining subscription is returned", async () => {
    const broadcaster = new Broadcaster<number>();
    const subscription = broadcaster.subscribe();
    broadcaster.submit(1);
    broadcaster.submit(2);
    broadcaster.close();
    await expect(subscription.next()).resolves.toEqual({ value: 1, done: false });
    await subscription.return();
    await expect(subscription.next()).resolves.toEqual({ value: undefined, done: true });
    await expect(subscription.closed).resolves.toBeUndefined();
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}
