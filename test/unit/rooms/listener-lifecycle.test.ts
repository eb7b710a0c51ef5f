import { describe, expect, it } from "vitest";
import { SlowConsumerError } from "../../../src/broadcast/index.js";
import {
  HistoryLostError,
  type HistoryQuery,
  type HistorySlice,
  ListenerEvictedError,
  MemoryRoomStore,
  RoomManagerClosedError,
  RoomNotFoundError,
} from "../../../src/rooms/index.js";
import {
  closeRoomListener,
  expectRoomRejection,
  RoomListenerReader,
  readyEventOf,
  roomEventLabel,
  roomEventsBeforeMarker,
  roomManagerForTest,
  submitRoomMessages,
} from "../../helpers/rooms.js";

const DONE = { done: true, value: undefined };

describe("RoomManager: ending listeners", () => {
  it("ends a listener when its AbortSignal aborts, settling a pending next() with done", async () => {
    const manager = roomManagerForTest();
    const controller = new AbortController();
    const listener = await manager.openListener("lobby", { userId: "bob", signal: controller.signal });
    await readyEventOf(listener);
    const pending = listener.next();
    controller.abort();
    expect(await pending).toEqual(DONE);
    expect(await listener.next()).toEqual(DONE);
    await expect(listener.closed).resolves.toBeUndefined();
  });

  it("opens an already-ended listener for an aborted signal: no presence, no room left behind", async () => {
    const manager = roomManagerForTest();
    const observer = await manager.openListener("lobby");
    await readyEventOf(observer);
    const controller = new AbortController();
    controller.abort();
    const listener = await manager.openListener("lobby", { userId: "bob", signal: controller.signal });
    expect(await listener.next()).toEqual(DONE);
    expect(await manager.getRoom("lobby")).toMatchObject({ listeners: 1, members: [] });
    expect(await roomEventsBeforeMarker(manager, observer)).toEqual([]);
    const elsewhere = await manager.openListener("elsewhere", { signal: controller.signal });
    expect(await elsewhere.next()).toEqual(DONE);
    await expectRoomRejection(manager.getRoom("elsewhere"), RoomNotFoundError);
  });

  it("releases the presence of a listener whose signal aborted", async () => {
    const manager = roomManagerForTest();
    const observer = await manager.openListener("lobby");
    await readyEventOf(observer);
    const controller = new AbortController();
    const listener = await manager.openListener("lobby", { userId: "bob", signal: controller.signal });
    controller.abort();
    await listener.closed;
    expect(await manager.getRoom("lobby")).toMatchObject({ listeners: 1, members: [] });
    expect(await roomEventsBeforeMarker(manager, observer)).toEqual(["joined:bob", "left:bob"]);
  });

  it("releases presence when return() is called before the first next(), and then yields done", async () => {
    const manager = roomManagerForTest();
    const observer = await manager.openListener("lobby");
    await readyEventOf(observer);
    const listener = await manager.openListener("lobby", { userId: "bob" });
    expect(await listener.return()).toEqual(DONE);
    await listener.closed;
    expect(await listener.next()).toEqual(DONE);
    expect(await manager.getRoom("lobby")).toMatchObject({ listeners: 1, members: [] });
    expect(await roomEventsBeforeMarker(manager, observer)).toEqual(["joined:bob", "left:bob"]);
  });

  it("releases presence when a for-await loop breaks out", async () => {
    const manager = roomManagerForTest();
    const observer = await manager.openListener("lobby");
    await readyEventOf(observer);
    const listener = await manager.openListener("lobby", { userId: "bob" });
    for await (const event of listener) {
      expect(event.type).toBe("ready");
      break;
    }
    await listener.closed;
    expect(await roomEventsBeforeMarker(manager, observer)).toEqual(["joined:bob", "left:bob"]);
  });

  it("ends a listener through closeListener() like close(), any number of times", async () => {
    const manager = roomManagerForTest();
    const listener = await manager.openListener("lobby", { userId: "bob" });
    manager.closeListener(listener);
    manager.closeListener(listener);
    listener.close();
    await listener.closed;
    expect(await listener.next()).toEqual(DONE);
    expect(await manager.getRoom("lobby").catch((error: unknown) => error)).toMatchObject({
      code: "room_not_found",
    });
  });
});

describe("RoomManager: slow listeners", () => {
  it("fails a listener that never reads with ListenerEvictedError (code slow_consumer) from next(), while others receive everything", async () => {
    const manager = roomManagerForTest({ listenerQueueSize: 4 });
    const slow = await manager.openListener("lobby", { userId: "slow" });
    const fast = new RoomListenerReader(await manager.openListener("lobby"));
    await fast.until((events) => events.length === 1);
    for (let i = 1; i <= 10; i++) {
      await manager.submit({ roomId: "lobby", userId: "alice", text: `m${i}` });
      // Let the fast reader catch up, so only the slow one is ever behind.
      await fast.untilText(`m${i}`);
    }
    expect((await slow.next()).value?.type).toBe("ready");
    const failure = await slow.next().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ListenerEvictedError);
    expect(failure).toMatchObject({ code: "slow_consumer", roomId: "lobby", queueSize: 4 });
    expect(await slow.closed).toBe(failure);
    expect(await slow.next()).toEqual(DONE);
    expect(fast.messages.map((m) => m.text)).toEqual([
      "m1",
      "m2",
      "m3",
      "m4",
      "m5",
      "m6",
      "m7",
      "m8",
      "m9",
      "m10",
    ]);
    expect(fast.labels).toContain("left:slow");
    expect(fast.error).toBeUndefined();
  });

  it("resolves closed with the ListenerEvictedError (never rejects) and releases the listener's presence", async () => {
    const manager = roomManagerForTest({ listenerQueueSize: 2 });
    const slow = await manager.openListener("lobby", { userId: "slow" });
    await submitRoomMessages(manager, "lobby", 3);
    const error = await slow.closed;
    expect(error).toBeInstanceOf(ListenerEvictedError);
    expect(error).toMatchObject({ code: "slow_consumer", queueSize: 2 });
    expect((error as Error).cause).toBeInstanceOf(SlowConsumerError);
    expect(await manager.getRoom("lobby")).toMatchObject({ listeners: 0, members: [] });
  });

  it("keeps a listener that has exactly listenerQueueSize unread events", async () => {
    const manager = roomManagerForTest({ listenerQueueSize: 4 });
    const listener = await manager.openListener("lobby");
    await submitRoomMessages(manager, "lobby", 4);
    const labels: string[] = [];
    for (let i = 0; i < 5; i++) {
      const result = await listener.next();
      if (!result.done) labels.push(roomEventLabel(result.value));
    }
    expect(labels).toEqual([
      "ready",
      "message:alice:m1",
      "message:alice:m2",
      "message:alice:m3",
      "message:alice:m4",
    ]);
    expect(await roomEventsBeforeMarker(manager, listener)).toEqual([]);
  });

  it("replays in pages that fit the queue, so a replay longer than the queue evicts nobody", async () => {
    const manager = roomManagerForTest({ listenerQueueSize: 2 });
    const messages = await submitRoomMessages(manager, "lobby", 6);
    const listener = await manager.openListener("lobby", { since: messages[0]?.id });
    await submitRoomMessages(manager, "lobby", 2, "live");
    const labels: string[] = [];
    for await (const event of listener) {
      labels.push(roomEventLabel(event));
      if (labels.length === 8) break;
    }
    expect(labels.slice(1)).toEqual([
      "message:alice:m2",
      "message:alice:m3",
      "message:alice:m4",
      "message:alice:m5",
      "message:alice:m6",
      "message:alice:live1",
      "message:alice:live2",
    ]);
  });
});

/** The memory store, noting how many messages each history read returned. */
class PageCountingStore extends MemoryRoomStore {
  readonly pageSizes: number[] = [];

  override async read(roomId: string, query: HistoryQuery): Promise<HistorySlice | undefined> {
    const slice = await super.read(roomId, query);
    this.pageSizes.push(slice?.messages.length ?? 0);
    return slice;
  }
}

describe("RoomManager: a replay within the listener's bound", () => {
  it("reads a long replay a page at a time as it is consumed, never more than the queue holds", async () => {
    const store = new PageCountingStore({ historyLimit: 100 });
    const manager = roomManagerForTest({ store, historyLimit: 100, listenerQueueSize: 4 });
    const messages = await submitRoomMessages(manager, "lobby", 50);
    store.pageSizes.length = 0;
    const listener = await manager.openListener("lobby", { since: messages[0]?.id });
    expect(await readyEventOf(listener)).toMatchObject({ recovered: true });
    const labels: string[] = [];
    for await (const event of listener) {
      labels.push(roomEventLabel(event));
      if (labels.length === 49) break;
    }
    expect(labels).toEqual(messages.slice(1).map((m) => `message:alice:${m.text}`));
    expect(Math.max(...store.pageSizes)).toBeLessThanOrEqual(4);
    expect(store.pageSizes.reduce((sum, size) => sum + size, 0)).toBe(49);
  });

  it("ends with HistoryLostError, after what it replayed, when the history it had yet to replay is trimmed", async () => {
    const manager = roomManagerForTest({ historyLimit: 10, listenerQueueSize: 4 });
    const messages = await submitRoomMessages(manager, "lobby", 11);
    const listener = await manager.openListener("lobby", { since: messages[0]?.id });
    // The first page (m2..m4) is in hand; four more posts trim m2..m5 away before the next page.
    await submitRoomMessages(manager, "lobby", 4, "live");
    const labels: string[] = [];
    await expect(
      (async () => {
        for await (const event of listener) labels.push(roomEventLabel(event));
      })(),
    ).rejects.toBeInstanceOf(HistoryLostError);
    expect(labels).toEqual(["ready", "message:alice:m2", "message:alice:m3", "message:alice:m4"]);
    await expect(listener.closed).resolves.toBeInstanceOf(HistoryLostError);
  });
});

describe("RoomManager: close()", () => {
  it("ends every listener after what it had queued, and settles pending next() calls", async () => {
    const manager = roomManagerForTest();
    const waiting = await manager.openListener("a");
    await readyEventOf(waiting);
    const pending = waiting.next();
    const behind = await manager.openListener("b");
    await submitRoomMessages(manager, "b", 2);
    await manager.close();
    expect(await pending).toEqual(DONE);
    const labels: string[] = [];
    for await (const event of behind) labels.push(roomEventLabel(event));
    expect(labels).toEqual(["ready", "message:alice:m1", "message:alice:m2"]);
    await expect(behind.closed).resolves.toBeUndefined();
  });

  it("rejects every later call with RoomManagerClosedError, and can be called again", async () => {
    const manager = roomManagerForTest();
    await submitRoomMessages(manager, "lobby", 1);
    await manager.close();
    await manager.close();
    const closed = { code: "shutting_down" };
    await expectRoomRejection(manager.openListener("lobby"), RoomManagerClosedError, closed);
    await expectRoomRejection(
      manager.submit({ roomId: "lobby", userId: "a", text: "x" }),
      RoomManagerClosedError,
      closed,
    );
    await expectRoomRejection(manager.getRoom("lobby"), RoomManagerClosedError, closed);
    await expectRoomRejection(manager.listRooms(), RoomManagerClosedError, closed);
    await expectRoomRejection(manager.history("lobby"), RoomManagerClosedError, closed);
    await expectRoomRejection(manager.deleteRoom("lobby"), RoomManagerClosedError, closed);
    await expectRoomRejection(manager.createRoom(), RoomManagerClosedError, closed);
  });

  it("lets work accepted before close() finish", async () => {
    const manager = roomManagerForTest();
    const submitted = manager.submit({ roomId: "lobby", userId: "alice", text: "in time" });
    const closing = manager.close();
    await expect(submitted).resolves.toMatchObject({ text: "in time" });
    await closing;
  });

  it("ends a listener whose open was still queued when close() was called", async () => {
    const manager = roomManagerForTest();
    // Queued behind a submit of the same room, so it opens only after close() began.
    const submitted = manager.submit({ roomId: "lobby", userId: "alice", text: "first" });
    const opening = manager.openListener("lobby", { userId: "bob" });
    const closing = manager.close();
    await submitted;
    const listener = await opening;
    expect(await readyEventOf(listener)).toMatchObject({ members: ["bob"] });
    expect(await listener.next()).toEqual(DONE);
    await closing;
    expect(manager.localListenerCount).toBe(0);
  });

  it("releases the listeners it ended, in its own store", async () => {
    const manager = roomManagerForTest();
    const listener = await manager.openListener("lobby", { userId: "bob" });
    await manager.close();
    await closeRoomListener(listener);
    expect(manager.localListenerCount).toBe(0);
  });
});

describe("RoomManager: counters", () => {
  it("counts accepted messages and opened listeners, not rejected calls", async () => {
    const manager = roomManagerForTest();
    await submitRoomMessages(manager, "lobby", 3);
    await manager.submit({ roomId: "lobby", userId: "", text: "x" }).catch(() => undefined);
    await manager.openListener("lobby");
    await manager.openListener("bad room").catch(() => undefined);
    expect(manager.stats).toEqual({
      messagesAccepted: 3,
      listenersOpened: 1,
      gapsDetected: 0,
      gapsFilled: 0,
      listenersLost: 0,
      memory: { retainedBytes: expect.any(Number), evictedMessages: 0 },
    });
    expect(manager.stats.memory?.retainedBytes).toBeGreaterThan(0);
    expect(manager.localListenerCount).toBe(1);
  });
});
