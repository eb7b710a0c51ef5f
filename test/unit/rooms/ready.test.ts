import { describe, expect, it } from "vitest";
import {
  nextRoomEvent,
  readyEventOf,
  roomEventLabel,
  roomEventsBeforeMarker,
  roomManagerForTest,
  submitRoomMessages,
} from "../../helpers/rooms.js";

describe("RoomManager: the ready event", () => {
  it("is the first event, with the room, its members, no lastId and recovered null in a new room", async () => {
    const manager = roomManagerForTest();
    const listener = await manager.openListener("lobby", { userId: "bob" });
    expect(await listener.next()).toEqual({
      done: false,
      value: { type: "ready", roomId: "lobby", members: ["bob"], lastId: null, recovered: null },
    });
  });

  it("comes first even when messages and presence events arrive before the first next()", async () => {
    const manager = roomManagerForTest();
    const listener = await manager.openListener("lobby");
    await manager.submit({ roomId: "lobby", userId: "alice", text: "hi" });
    await manager.openListener("lobby", { userId: "carol" });
    expect(roomEventLabel(await nextRoomEvent(listener))).toBe("ready");
    expect(roomEventLabel(await nextRoomEvent(listener))).toBe("message:alice:hi");
    expect(roomEventLabel(await nextRoomEvent(listener))).toBe("joined:carol");
  });

  it("names every member (sorted, the opener included) and the id of the newest message", async () => {
    const manager = roomManagerForTest();
    await manager.openListener("lobby", { userId: "zed" });
    await manager.openListener("lobby", { userId: "amy" });
    await manager.openListener("lobby");
    const messages = await submitRoomMessages(manager, "lobby", 3);
    const ready = await readyEventOf(await manager.openListener("lobby", { userId: "kim" }));
    expect(ready).toEqual({
      type: "ready",
      roomId: "lobby",
      members: ["amy", "kim", "zed"],
      lastId: messages[2]?.id,
      recovered: null,
    });
  });

  it("replays nothing without a cursor: the next event after ready is live", async () => {
    const manager = roomManagerForTest();
    await submitRoomMessages(manager, "lobby", 3);
    const listener = await manager.openListener("lobby");
    await readyEventOf(listener);
    expect(await roomEventsBeforeMarker(manager, listener)).toEqual([]);
  });

  it("says recovered true when the cursor is the newest message, and replays nothing", async () => {
    const manager = roomManagerForTest();
    const messages = await submitRoomMessages(manager, "lobby", 3);
    const listener = await manager.openListener("lobby", { since: messages[2]?.id });
    expect(await readyEventOf(listener)).toMatchObject({ lastId: messages[2]?.id, recovered: true });
    expect(await roomEventsBeforeMarker(manager, listener)).toEqual([]);
  });

  it("says recovered true and replays everything after a cursor inside the history", async () => {
    const manager = roomManagerForTest();
    const messages = await submitRoomMessages(manager, "lobby", 5);
    const listener = await manager.openListener("lobby", { since: messages[1]?.id });
    expect(await readyEventOf(listener)).toMatchObject({ lastId: messages[4]?.id, recovered: true });
    expect(await roomEventsBeforeMarker(manager, listener)).toEqual([
      "message:alice:m3",
      "message:alice:m4",
      "message:alice:m5",
    ]);
  });

  it("says recovered true for a cursor just before the oldest retained message: nothing is missing", async () => {
    const manager = roomManagerForTest({ historyLimit: 3 });
    const messages = await submitRoomMessages(manager, "lobby", 6);
    const listener = await manager.openListener("lobby", { since: messages[2]?.id });
    expect(await readyEventOf(listener)).toMatchObject({ recovered: true });
    expect(await roomEventsBeforeMarker(manager, listener)).toEqual([
      "message:alice:m4",
      "message:alice:m5",
      "message:alice:m6",
    ]);
  });

  it("says recovered false for a cursor older than the history, and replays what is retained", async () => {
    const manager = roomManagerForTest({ historyLimit: 3 });
    const messages = await submitRoomMessages(manager, "lobby", 6);
    const listener = await manager.openListener("lobby", { since: messages[1]?.id });
    expect(await readyEventOf(listener)).toMatchObject({ lastId: messages[5]?.id, recovered: false });
    expect(await roomEventsBeforeMarker(manager, listener)).toEqual([
      "message:alice:m4",
      "message:alice:m5",
      "message:alice:m6",
    ]);
  });

  it("says recovered false for a cursor from before the room was deleted and recreated", async () => {
    const manager = roomManagerForTest();
    const old = await submitRoomMessages(manager, "lobby", 5, "old");
    await manager.deleteRoom("lobby");
    const fresh = await submitRoomMessages(manager, "lobby", 2, "new");
    const listener = await manager.openListener("lobby", { since: old[0]?.id });
    expect(await readyEventOf(listener)).toMatchObject({ lastId: fresh[1]?.id, recovered: false });
    expect(await roomEventsBeforeMarker(manager, listener)).toEqual([
      "message:alice:new1",
      "message:alice:new2",
    ]);
  });

  it("says recovered false for a well-formed cursor this room never issued", async () => {
    const manager = roomManagerForTest();
    await submitRoomMessages(manager, "lobby", 2);
    const listener = await manager.openListener("lobby", { since: "zzzz-1" });
    expect(await readyEventOf(listener)).toMatchObject({ recovered: false });
    expect(await roomEventsBeforeMarker(manager, listener)).toEqual(["message:alice:m1", "message:alice:m2"]);
  });

  it("says recovered false for a cursor of another room", async () => {
    const manager = roomManagerForTest();
    const [elsewhere] = await submitRoomMessages(manager, "other", 1);
    await submitRoomMessages(manager, "lobby", 1);
    const listener = await manager.openListener("lobby", { since: elsewhere?.id });
    expect(await readyEventOf(listener)).toMatchObject({ recovered: false });
    expect(await roomEventsBeforeMarker(manager, listener)).toEqual(["message:alice:m1"]);
  });
});
