import { afterEach, describe, expect, it, vi } from "vitest";
import { nextRoomEvent, readyEventOf, roomManagerForTest } from "../../helpers/rooms.js";

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe("RoomManager: the message", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("is {id, roomId, userId, text, sentAt} and nothing else", async () => {
    const manager = roomManagerForTest();
    const message = await manager.submit({ roomId: "lobby", userId: "bob", text: "hello" });
    expect(Object.keys(message).sort()).toEqual(["id", "roomId", "sentAt", "text", "userId"]);
    expect(message).toMatchObject({ roomId: "lobby", userId: "bob", text: "hello" });
    expect(typeof message.id).toBe("string");
    expect(message.sentAt).toMatch(ISO_UTC);
    expect(new Date(message.sentAt).toISOString()).toBe(message.sentAt);
  });

  it("stamps sentAt in ISO-8601 UTC with the time the server accepted it", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2031-07-04T23:30:15.250+02:00"));
    const manager = roomManagerForTest();
    const message = await manager.submit({ roomId: "lobby", userId: "bob", text: "hello" });
    expect(message.sentAt).toBe("2031-07-04T21:30:15.250Z");
  });

  it("is the same message in submit's result, in every listener's event and in history", async () => {
    const manager = roomManagerForTest();
    const listeners = [
      await manager.openListener("lobby", { userId: "kim" }),
      await manager.openListener("lobby"),
    ];
    for (const listener of listeners) await readyEventOf(listener);
    const message = await manager.submit({ roomId: "lobby", userId: "bob", text: "<b>hi</b> 👋" });
    for (const listener of listeners) {
      expect(await nextRoomEvent(listener)).toEqual({ type: "message", message });
    }
    expect(await manager.history("lobby")).toEqual([message]);
    expect(await manager.getRoom("lobby")).toMatchObject({ messageCount: 1, lastMessageId: message.id });
  });

  it("gets an id of its own, in its room and across rooms", async () => {
    const manager = roomManagerForTest();
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) {
      ids.add((await manager.submit({ roomId: i % 2 === 0 ? "a" : "b", userId: "bob", text: `m${i}` })).id);
    }
    expect(ids.size).toBe(20);
  });

  it("cannot be changed in history through the object submit returned", async () => {
    const manager = roomManagerForTest();
    const message = await manager.submit({ roomId: "lobby", userId: "bob", text: "original" });
    Reflect.set(message, "text", "changed");
    expect((await manager.history("lobby"))[0]?.text).toBe("original");
  });
});
