import { describe, expect, it } from "vitest";
import {
  ListenerEvictedError,
  type RoomEvent,
  type RoomListener,
  type RoomManager,
} from "../../../src/rooms/index.js";
import { roomEventLabel, roomManagerForTest, submitRoomMessages } from "../../helpers/rooms.js";

/** A listener consumed through its sink, its events as labels, and a way to wait for a count. */
class SinkRecorder {
  readonly labels: string[] = [];
  readonly batches: number[] = [];
  #waiters: { count: number; resolve: () => void }[] = [];

  constructor(readonly listener: RoomListener) {
    listener.consume((events) => this.take(events));
  }

  take(events: readonly RoomEvent[]): void {
    this.batches.push(events.length);
    for (const event of events) this.labels.push(roomEventLabel(event));
    this.#waiters = this.#waiters.filter((waiter) => {
      if (this.labels.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  }

  /** Resolves once `count` events arrived. */
  until(count: number): Promise<void> {
    if (this.labels.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }
}

/** Lets queued deliveries and reads run (the memory store answers within a few turns). */
async function settle(manager: RoomManager, roomId: string): Promise<void> {
  await manager.getRoom(roomId);
  await new Promise((resolve) => setImmediate(resolve));
}

const texts = (prefix: string, count: number): string[] =>
  Array.from({ length: count }, (_, i) => `message:alice:${prefix}${i + 1}`);

describe("RoomListener: consume(sink)", () => {
  it("delivers ready, the replay page by page and then live events, in order", async () => {
    const manager = roomManagerForTest({ historyLimit: 100, listenerQueueSize: 4 });
    const messages = await submitRoomMessages(manager, "lobby", 20);
    const recorder = new SinkRecorder(await manager.openListener("lobby", { since: messages[0]?.id }));
    await submitRoomMessages(manager, "lobby", 3, "live");
    await recorder.until(1 + 19 + 3);
    expect(recorder.labels).toEqual(["ready", ...texts("m", 20).slice(1), ...texts("live", 3)]);
    // Pages of the replay stay within the queue's bound.
    expect(Math.max(...recorder.batches)).toBeLessThanOrEqual(4);
  });

  it("sends nothing while paused, then everything queued meanwhile on resume", async () => {
    const manager = roomManagerForTest();
    const recorder = new SinkRecorder(await manager.openListener("lobby"));
    await recorder.until(1);
    recorder.listener.pause();
    await submitRoomMessages(manager, "lobby", 3);
    await settle(manager, "lobby");
    expect(recorder.labels).toEqual(["ready"]);
    recorder.listener.resume();
    await recorder.until(4);
    expect(recorder.labels).toEqual(["ready", ...texts("m", 3)]);
  });

  it("waits for resume() between replay pages", async () => {
    const manager = roomManagerForTest({ historyLimit: 100, listenerQueueSize: 3 });
    const messages = await submitRoomMessages(manager, "lobby", 10);
    const listener = await manager.openListener("lobby", { since: messages[0]?.id });
    const labels: string[] = [];
    listener.consume((events) => {
      for (const event of events) labels.push(roomEventLabel(event));
      listener.pause();
    });
    await settle(manager, "lobby");
    expect(labels).toEqual(["ready", "message:alice:m2", "message:alice:m3"]);
    listener.resume();
    await settle(manager, "lobby");
    expect(labels).toEqual(["ready", ...texts("m", 6).slice(1)]); // the next page: as many as the queue holds
    listener.close();
  });

  it("a paused listener that falls its queue behind ends with ListenerEvictedError", async () => {
    const manager = roomManagerForTest({ listenerQueueSize: 2 });
    const recorder = new SinkRecorder(await manager.openListener("lobby"));
    await recorder.until(1);
    recorder.listener.pause();
    await submitRoomMessages(manager, "lobby", 3);
    await expect(recorder.listener.closed).resolves.toBeInstanceOf(ListenerEvictedError);
    expect(recorder.labels).toEqual(["ready"]);
  });

  it("ends after the deleted event", async () => {
    const manager = roomManagerForTest();
    const recorder = new SinkRecorder(await manager.openListener("lobby"));
    await recorder.until(1);
    await manager.deleteRoom("lobby");
    await expect(recorder.listener.closed).resolves.toBeUndefined();
    expect(recorder.labels).toEqual(["ready", "deleted"]);
  });

  it("a sink that throws ends its own listener with that error; the room's other listeners go on", async () => {
    const manager = roomManagerForTest();
    const failing = await manager.openListener("lobby");
    const broken = new Error("sink broke");
    let calls = 0;
    failing.consume(() => {
      calls++;
      if (calls === 2) throw broken;
    });
    const other = new SinkRecorder(await manager.openListener("lobby"));
    await other.until(1);
    await submitRoomMessages(manager, "lobby", 2);
    await expect(failing.closed).resolves.toBe(broken);
    await other.until(3);
    expect(other.labels).toEqual(["ready", ...texts("m", 2)]);
  });

  it("is one way of reading: next() and nextBatch() reject after consume()", async () => {
    const manager = roomManagerForTest();
    const listener = await manager.openListener("lobby");
    listener.consume(() => {});
    await expect(listener.next()).rejects.toBeInstanceOf(TypeError);
    await expect(listener.nextBatch()).rejects.toBeInstanceOf(TypeError);
    expect(() => listener.consume(() => {})).toThrow(TypeError);
    listener.close();
  });
});
