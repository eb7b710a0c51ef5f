import { describe, expect, it } from "vitest";
import { RoomNotFoundError } from "../../../src/rooms/index.js";
import {
  expectRoomRejection,
  readyEventOf,
  roomEventLabel,
  roomEventsBeforeMarker,
  roomManagerForTest,
  submitRoomMessages,
} from "../../helpers/rooms.js";

describe("RoomManager: deleting a room", () => {
  it("ends every listener with a deleted event as its last event, then done", async () => {
    const manager = roomManagerForTest();
    const alice = await manager.openListener("lobby", { userId: "alice" });
    const anonymous = await manager.openListener("lobby");
    await readyEventOf(alice);
    await readyEventOf(anonymous);
    await manager.deleteRoom("lobby");
    for (const listener of [alice, anonymous]) {
      expect(await listener.next()).toEqual({ done: false, value: { type: "deleted", roomId: "lobby" } });
      expect(await listener.next()).toEqual({ done: true, value: undefined });
      expect(await listener.next()).toEqual({ done: true, value: undefined });
      await expect(listener.closed).resolves.toBeUndefined();
    }
  });

  it("delivers what a listener had not read yet before the deleted event", async () => {
    const manager = roomManagerForTest();
    const listener = await manager.openListener("lobby");
    await submitRoomMessages(manager, "lobby", 2);
    await manager.openListener("lobby", { userId: "bob" });
    await manager.deleteRoom("lobby");
    const labels: string[] = [];
    for await (const event of listener) labels.push(roomEventLabel(event));
    expect(labels).toEqual(["ready", "message:alice:m1", "message:alice:m2", "joined:bob", "deleted"]);
  });

  it("settles a pending next() with the deleted event", async () => {
    const manager = roomManagerForTest();
    const listener = await manager.openListener("lobby");
    await readyEventOf(listener);
    const pending = listener.next();
    await manager.deleteRoom("lobby");
    expect(await pending).toEqual({ done: false, value: { type: "deleted", roomId: "lobby" } });
  });

  it("leaves other rooms and their listeners alone", async () => {
    const manager = roomManagerForTest();
    const other = await manager.openListener("other");
    await readyEventOf(other);
    await submitRoomMessages(manager, "lobby", 1);
    await manager.deleteRoom("lobby");
    expect(await roomEventsBeforeMarker(manager, other)).toEqual([]);
    expect((await manager.listRooms()).map((r) => r.roomId)).toEqual(["other"]);
  });

  it("forgets the room: getRoom, history and a second delete answer RoomNotFoundError", async () => {
    const manager = roomManagerForTest();
    await submitRoomMessages(manager, "lobby", 3);
    await manager.deleteRoom("lobby");
    await expectRoomRejection(manager.getRoom("lobby"), RoomNotFoundError, { roomId: "lobby" });
    await expectRoomRejection(manager.history("lobby"), RoomNotFoundError, { roomId: "lobby" });
    await expectRoomRejection(manager.deleteRoom("lobby"), RoomNotFoundError, { code: "room_not_found" });
    expect(await manager.listRooms()).toEqual([]);
  });

  it("rejects deleting a room that never existed with RoomNotFoundError", async () => {
    const manager = roomManagerForTest();
    await expectRoomRejection(manager.deleteRoom("nowhere"), RoomNotFoundError, { roomId: "nowhere" });
  });

  it("lets the room start afresh: empty history, new ids, fresh presence", async () => {
    const manager = roomManagerForTest();
    const [old] = await submitRoomMessages(manager, "lobby", 1, "old");
    await manager.openListener("lobby", { userId: "bob" });
    await manager.deleteRoom("lobby");

    const bob = await manager.openListener("lobby", { userId: "bob" });
    expect(await readyEventOf(bob)).toEqual({
      type: "ready",
      roomId: "lobby",
      members: ["bob"],
      lastId: null,
      recovered: null,
    });
    const [fresh] = await submitRoomMessages(manager, "lobby", 1, "new");
    expect(fresh?.id).not.toBe(old?.id);
    expect(await manager.history("lobby")).toEqual([fresh]);
    expect(await manager.getRoom("lobby")).toMatchObject({ listeners: 1, members: ["bob"], messageCount: 1 });
  });

  it("does not let a deleted listener's late release touch the recreated room's presence", async () => {
    const manager = roomManagerForTest();
    const old = await manager.openListener("lobby", { userId: "bob" });
    await manager.deleteRoom("lobby");
    const observer = await manager.openListener("lobby", { userId: "bob" });
    await readyEventOf(observer);
    // The old listener only ends (and releases) once it has read its deleted event.
    await readyEventOf(old);
    expect((await old.next()).value).toEqual({ type: "deleted", roomId: "lobby" });
    await old.closed;
    expect(await manager.getRoom("lobby")).toMatchObject({ listeners: 1, members: ["bob"] });
    expect(await roomEventsBeforeMarker(manager, observer)).toEqual([]);
  });

  it("keeps a deleted room usable again when a listener had been opened on it with an already-aborted signal", async () => {
    const manager = roomManagerForTest();
    await submitRoomMessages(manager, "lobby", 1);
    const aborted = new AbortController();
    aborted.abort();
    await manager.openListener("lobby", { signal: aborted.signal });
    await manager.deleteRoom("lobby");
    const message = await manager.submit({ roomId: "lobby", userId: "alice", text: "after" });
    const listener = await manager.openListener("lobby");
    expect(await readyEventOf(listener)).toMatchObject({ lastId: message.id });
    expect(await roomEventsBeforeMarker(manager, listener)).toEqual([]);
  });
});
