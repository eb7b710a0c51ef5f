import { describe, expect, it } from "vitest";
import { RoomNotFoundError, ValidationError } from "../../../src/rooms/index.js";
import { expectRoomRejection, roomManagerForTest, submitRoomMessages } from "../../helpers/rooms.js";

const texts = (messages: readonly { text: string }[]) => messages.map((m) => m.text);
const numbered = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `m${from + i}`);

describe("RoomManager: history", () => {
  it("returns stored messages oldest first, exactly as submit returned them", async () => {
    const manager = roomManagerForTest();
    const messages = await submitRoomMessages(manager, "lobby", 3);
    expect(await manager.history("lobby")).toEqual(messages);
  });

  it("returns the latest N messages for limit alone", async () => {
    const manager = roomManagerForTest();
    await submitRoomMessages(manager, "lobby", 10);
    expect(texts(await manager.history("lobby", { limit: 3 }))).toEqual(["m8", "m9", "m10"]);
    expect(texts(await manager.history("lobby", { limit: 1 }))).toEqual(["m10"]);
  });

  it("returns the latest 100 messages without a limit", async () => {
    const manager = roomManagerForTest();
    await submitRoomMessages(manager, "lobby", 130);
    expect(texts(await manager.history("lobby"))).toEqual(numbered(31, 130));
  });

  it("pages forward with since and limit: the first N after the cursor", async () => {
    const manager = roomManagerForTest();
    const messages = await submitRoomMessages(manager, "lobby", 8);
    const pages: string[][] = [];
    let since = messages[0]?.id;
    // Bounded: a page that repeated its cursor would otherwise loop forever on microtasks.
    for (let i = 0; i < 5; i++) {
      const page = await manager.history("lobby", { since, limit: 3 });
      if (page.length === 0) break;
      pages.push(texts(page));
      since = page.at(-1)?.id;
    }
    expect(pages).toEqual([["m2", "m3", "m4"], ["m5", "m6", "m7"], ["m8"]]);
  });

  it("returns everything after since when no limit is given", async () => {
    const manager = roomManagerForTest();
    const messages = await submitRoomMessages(manager, "lobby", 5);
    expect(texts(await manager.history("lobby", { since: messages[1]?.id }))).toEqual(["m3", "m4", "m5"]);
    expect(await manager.history("lobby", { since: messages[4]?.id })).toEqual([]);
  });

  it("keeps only the last historyLimit messages of a room", async () => {
    const manager = roomManagerForTest({ historyLimit: 4 });
    const messages = await submitRoomMessages(manager, "lobby", 9);
    expect(await manager.history("lobby", { limit: 4 })).toEqual(messages.slice(5));
    expect(await manager.getRoom("lobby")).toMatchObject({ messageCount: 4, lastMessageId: messages[8]?.id });
  });

  it("pages from the oldest retained message for a cursor older than the history", async () => {
    const manager = roomManagerForTest({ historyLimit: 4 });
    const messages = await submitRoomMessages(manager, "lobby", 9);
    expect(texts(await manager.history("lobby", { since: messages[0]?.id, limit: 2 }))).toEqual(["m6", "m7"]);
  });

  it("pages from the oldest retained message for a cursor from before the room was deleted", async () => {
    const manager = roomManagerForTest();
    const old = await submitRoomMessages(manager, "lobby", 5, "old");
    await manager.deleteRoom("lobby");
    await submitRoomMessages(manager, "lobby", 3, "new");
    expect(texts(await manager.history("lobby", { since: old[3]?.id, limit: 2 }))).toEqual(["new1", "new2"]);
  });

  it("accepts limit = historyLimit and rejects limits outside 1..historyLimit with invalid_limit", async () => {
    const manager = roomManagerForTest({ historyLimit: 50 });
    await submitRoomMessages(manager, "lobby", 2);
    expect(await manager.history("lobby", { limit: 50 })).toHaveLength(2);
    for (const limit of [0, -1, 51, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "5", null]) {
      await expectRoomRejection(manager.history("lobby", { limit: limit as number }), ValidationError, {
        code: "invalid_limit",
        field: "limit",
      });
    }
  });

  it("quotes the bad limit in the error message", async () => {
    const manager = roomManagerForTest({ historyLimit: 50 });
    await submitRoomMessages(manager, "lobby", 1);
    await expect(manager.history("lobby", { limit: 51 })).rejects.toThrow(/1 to 50, got 51 \(number\)/);
  });

  it("rejects a room that does not exist with RoomNotFoundError, without creating it", async () => {
    const manager = roomManagerForTest();
    await expectRoomRejection(manager.history("nowhere"), RoomNotFoundError, {
      code: "room_not_found",
      roomId: "nowhere",
    });
    expect(await manager.listRooms()).toEqual([]);
  });
});
