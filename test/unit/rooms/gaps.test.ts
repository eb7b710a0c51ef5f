import { describe, expect, it, vi } from "vitest";
import { type BusEvent, HistoryLostError, MemoryRoomStore, parseCursor } from "../../../src/rooms/index.js";
import { LossyBusStore } from "../../helpers/lossy-bus-store.js";
import {
  RoomListenerReader,
  readyEventOf,
  roomEventsBeforeMarker,
  roomManagerForTest,
  submitRoomMessages,
} from "../../helpers/rooms.js";

const textOf = (event: BusEvent) => (event.type === "message" ? event.message.text : undefined);

describe("RoomManager: gaps on the bus", () => {
  it("fills a message lost on the bus from history, so listeners see a contiguous sequence", async () => {
    const store = new LossyBusStore();
    store.lose = (event) => textOf(event) === "m2" || textOf(event) === "m3";
    const manager = roomManagerForTest({ store });
    const reader = new RoomListenerReader(await manager.openListener("lobby"));
    await submitRoomMessages(manager, "lobby", 5);
    await reader.untilText("m5");
    expect(reader.labels).toEqual(["ready", ...[1, 2, 3, 4, 5].map((i) => `message:alice:m${i}`)]);
    expect(manager.stats).toMatchObject({ gapsDetected: 1, gapsFilled: 1, listenersLost: 0 });
  });

  it("ends listeners with a resumable HistoryLostError when history no longer holds the gap", async () => {
    const store = new LossyBusStore({ historyLimit: 3 });
    const manager = roomManagerForTest({ store, historyLimit: 3 });
    const reader = new RoomListenerReader(await manager.openListener("lobby"));
    const [first] = await submitRoomMessages(manager, "lobby", 1);
    await reader.untilText("m1");
    store.lose = (event) => event.type === "message" && event.offset < 6;
    await submitRoomMessages(manager, "lobby", 5, "n");
    await reader.finished;
    expect(reader.error).toBeInstanceOf(HistoryLostError);
    expect(reader.error).toMatchObject({ code: "history_lost", roomId: "lobby" });
    expect(reader.labels).toEqual(["ready", "message:alice:m1"]);
    expect(manager.stats).toMatchObject({ gapsDetected: 1, gapsFilled: 0, listenersLost: 1 });

    // Resuming says what was lost and delivers what is retained.
    const resumed = await manager.openListener("lobby", { since: first?.id });
    expect(await readyEventOf(resumed)).toMatchObject({ recovered: false });
  });

  it("catches up a silently lost last message at the next position check", async () => {
    vi.useFakeTimers();
    try {
      const store = new LossyBusStore();
      const manager = roomManagerForTest({ store, positionCheckMs: 1_000 });
      const reader = new RoomListenerReader(await manager.openListener("lobby"));
      store.lose = (event) => textOf(event) === "lost";
      await manager.submit({ roomId: "lobby", userId: "alice", text: "lost" });
      await vi.advanceTimersByTimeAsync(1_000);
      await reader.untilText("lost");
      expect(reader.labels).toEqual(["ready", "message:alice:lost"]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("never delivers a late event of a room's earlier life", async () => {
    const store = new LossyBusStore();
    const manager = roomManagerForTest({ store });
    const listener = await manager.openListener("lobby");
    await readyEventOf(listener);
    const [m1] = await submitRoomMessages(manager, "lobby", 1);
    const old = `${parseCursor(m1?.id).epoch}0`;
    const stale = { id: `${old}-2`, roomId: "lobby", userId: "eve", text: "stale", sentAt: m1?.sentAt ?? "" };
    store.inject({ type: "message", epoch: old, offset: 2, message: stale });
    store.inject({ type: "joined", epoch: old, roomId: "lobby", userId: "eve" });
    store.inject({ type: "deleted", epoch: old, roomId: "lobby" });
    expect(await roomEventsBeforeMarker(manager, listener)).toEqual(["message:alice:m1"]);
    expect(manager.stats).toMatchObject({ listenersLost: 0 });
  });

  it("ends listeners resumably when the store starts a new epoch under them", async () => {
    const store = new MemoryRoomStore();
    const manager = roomManagerForTest({ store });
    const reader = new RoomListenerReader(await manager.openListener("lobby"));
    const [m1] = await submitRoomMessages(manager, "lobby", 1);
    await reader.untilText("m1");
    await store.rotateEpoch("lobby", parseCursor(m1?.id).epoch);
    await submitRoomMessages(manager, "lobby", 1, "after");
    await reader.finished;
    expect(reader.error).toBeInstanceOf(HistoryLostError);
    expect(reader.labels).toEqual(["ready", "message:alice:m1"]);
  });

  it("starts a new epoch when a cursor is ahead of the room's history, so no id is reused", async () => {
    const manager = roomManagerForTest();
    const [m1] = await submitRoomMessages(manager, "lobby", 1);
    const epoch = parseCursor(m1?.id).epoch;
    const listener = await manager.openListener("lobby", { since: `${epoch}-9` });
    expect(await readyEventOf(listener)).toMatchObject({ recovered: false });
    const [next] = await submitRoomMessages(manager, "lobby", 1, "n");
    expect(parseCursor(next?.id)).toMatchObject({ offset: 1 });
    expect(parseCursor(next?.id).epoch).not.toBe(epoch);
  });
});
