import { describe, expect, it } from "vitest";
import {
  decodeUtf8Text,
  MessageTooLongError,
  RoomError,
  type RoomManager,
  type SubmitInput,
  ValidationError,
} from "../../../src/rooms/index.js";
import {
  expectRoomRejection,
  readyEventOf,
  roomEventsBeforeMarker,
  roomManagerForTest,
} from "../../helpers/rooms.js";

/** Lets a test pass what the types forbid, as an untyped caller (JSON, gRPC) could. */
const untyped = <T>(value: unknown): T => value as T;

const BAD_ROOM_IDS: unknown[] = [
  "",
  // Match the pattern, but are path segments a browser rewrites away.
  ".",
  "..",
  "a".repeat(65),
  "a b",
  "a/b",
  "../etc",
  "café",
  "room\n",
  "a:b",
  "a%20b",
  42,
  null,
  undefined,
  {},
  ["lobby"],
  // Objects whose conversion to a string would call into them (or fail).
  { toString: "x" },
  { toString: () => "lobby" },
  Object.create(null),
];
const GOOD_ROOM_IDS = ["a", "a".repeat(64), "A-z_0.9", "...", ".a", "-"];

const BAD_USER_IDS: unknown[] = [
  "",
  "a".repeat(65),
  "bob\n",
  "\u0000",
  "a\u007f",
  "\u0085x",
  "tab\there",
  42,
  null,
  {},
  { toString: "x" },
  Object.create(null),
  "ann\ud800",
];
const GOOD_USER_IDS = ["b", "a".repeat(64), "Zoë O'Hara", "👋".repeat(64)];

const BAD_TEXTS: unknown[] = [
  "",
  "   ",
  "\n\t \r\n",
  "\u00a0",
  "a\u0000b",
  "\u001b[31mred",
  42,
  null,
  undefined,
  ["hi"],
  { toString: "x" },
  { toString: () => "hi", trim: () => "hi" },
  Object.create(null),
  // Not valid Unicode: lone surrogates (a JSON "\ud800" escape decodes to one).
  "\ud800",
  "a\udc00b",
  "hi \udbff",
  "\udc00\ud800",
];

const BAD_CURSORS: unknown[] = [
  "",
  "abc",
  "abc-0",
  "abc-01",
  "ABC-1",
  "-1",
  "abc-",
  "abc-1-2",
  "abc-1\n",
  `${"a".repeat(33)}-1`,
  "abc-1234567890123456",
  42,
  null,
  1n,
  { toString: "x" },
];

/** A room with a listener, to prove bad input broadcast nothing and stored nothing. */
async function observedRoom(manager: RoomManager) {
  const first = await manager.submit({ roomId: "lobby", userId: "alice", text: "before" });
  const observer = await manager.openListener("lobby");
  await readyEventOf(observer);
  return {
    async expectNothingHappened(): Promise<void> {
      expect(await roomEventsBeforeMarker(manager, observer)).toEqual([]);
      const history = await manager.history("lobby");
      expect(history[0]).toEqual(first);
      expect(history).toHaveLength(2);
      expect((await manager.listRooms()).map((r) => r.roomId)).toEqual(["lobby"]);
      expect(await manager.getRoom("lobby")).toMatchObject({ listeners: 1, members: [] });
    },
  };
}

describe("RoomManager: bad input", () => {
  it("rejects room ids outside [A-Za-z0-9._-]{1,64}, and . or .., in every operation with invalid_room_id", async () => {
    const manager = roomManagerForTest();
    const room = await observedRoom(manager);
    for (const roomId of BAD_ROOM_IDS) {
      const id = untyped<string>(roomId);
      const invalid = { code: "invalid_room_id", field: "roomId" };
      await expectRoomRejection(manager.openListener(id, { userId: "bob" }), ValidationError, invalid);
      await expectRoomRejection(
        manager.submit({ roomId: id, userId: "bob", text: "hi" }),
        ValidationError,
        invalid,
      );
      await expectRoomRejection(manager.getRoom(id), ValidationError, invalid);
      await expectRoomRejection(manager.deleteRoom(id), ValidationError, invalid);
      await expectRoomRejection(manager.history(id), ValidationError, invalid);
    }
    await room.expectNothingHappened();
  });

  it("accepts room ids at the edges of the pattern", async () => {
    const manager = roomManagerForTest();
    for (const roomId of GOOD_ROOM_IDS) {
      await manager.submit({ roomId, userId: "bob", text: "hi" });
      expect(await manager.getRoom(roomId)).toMatchObject({ roomId, messageCount: 1 });
    }
  });

  it("rejects user ids that are empty, over 64 characters, with control characters or not strings", async () => {
    const manager = roomManagerForTest();
    const room = await observedRoom(manager);
    for (const userId of BAD_USER_IDS) {
      const id = untyped<string>(userId);
      const invalid = { code: "invalid_user_id", field: "userId" };
      await expectRoomRejection(manager.openListener("lobby", { userId: id }), ValidationError, invalid);
      await expectRoomRejection(manager.openListener("elsewhere", { userId: id }), ValidationError, invalid);
      await expectRoomRejection(
        manager.submit({ roomId: "lobby", userId: id, text: "hi" }),
        ValidationError,
        invalid,
      );
    }
    await room.expectNothingHappened();
  });

  it("accepts user ids of up to 64 characters, counted as characters rather than UTF-16 units", async () => {
    const manager = roomManagerForTest();
    for (const userId of GOOD_USER_IDS) {
      const listener = await manager.openListener("lobby", { userId });
      expect((await readyEventOf(listener)).members).toContain(userId);
      expect(await manager.submit({ roomId: "lobby", userId, text: "hi" })).toMatchObject({ userId });
    }
  });

  it("rejects empty, blank, control-character and non-string texts with invalid_text", async () => {
    const manager = roomManagerForTest();
    const room = await observedRoom(manager);
    for (const text of BAD_TEXTS) {
      await expectRoomRejection(
        manager.submit({ roomId: "lobby", userId: "bob", text: untyped<string>(text) }),
        ValidationError,
        { code: "invalid_text", field: "text" },
      );
    }
    await room.expectNothingHappened();
  });

  it("accepts surrogate pairs (emoji, astral characters) and U+FFFD as sent", async () => {
    const manager = roomManagerForTest();
    for (const text of ["😀", "\ud83d\ude00 ok", "𝄞 clef", "\ufffd"]) {
      expect(await manager.submit({ roomId: "lobby", userId: "bob", text })).toMatchObject({ text });
    }
  });

  it("decodes UTF-8 text bytes strictly: invalid, overlong and surrogate encodings are invalid_text", () => {
    expect(decodeUtf8Text(Buffer.from("héllo 😀"))).toBe("héllo 😀");
    for (const bytes of [
      [0xff, 0xfe],
      [0xc0, 0xaf],
      [0xe0, 0x80, 0xaf],
      [0xed, 0xa0, 0x80],
      [0x68, 0xc3],
      [0xf4, 0x90, 0x80, 0x80],
    ]) {
      expect(() => decodeUtf8Text(Uint8Array.from(bytes))).toThrow(
        expect.objectContaining({ code: "invalid_text", field: "text" }),
      );
    }
  });

  it("accepts tabs and line breaks inside a text, and keeps the text as sent", async () => {
    const manager = roomManagerForTest();
    const text = "  line one\n\tline two\r\n";
    expect(await manager.submit({ roomId: "lobby", userId: "bob", text })).toMatchObject({ text });
  });

  it("rejects a text over maxMessageBytes with MessageTooLongError carrying both byte counts", async () => {
    const manager = roomManagerForTest({ maxMessageBytes: 16 });
    const room = await observedRoom(manager);
    await expectRoomRejection(
      manager.submit({ roomId: "lobby", userId: "bob", text: "é".repeat(9) }),
      MessageTooLongError,
      { code: "message_too_long", limitBytes: 16, actualBytes: 18 },
    );
    await expectRoomRejection(
      manager.submit({ roomId: "lobby", userId: "bob", text: "x".repeat(17) }),
      MessageTooLongError,
      { limitBytes: 16, actualBytes: 17 },
    );
    await expect(manager.submit({ roomId: "lobby", userId: "bob", text: "😀".repeat(5) })).rejects.toThrow(
      "Expected `text` to be at most 16 bytes, got 20 bytes",
    );
    await room.expectNothingHappened();
  });

  it("accepts a text of exactly maxMessageBytes bytes", async () => {
    const manager = roomManagerForTest({ maxMessageBytes: 16 });
    for (const text of ["é".repeat(8), "x".repeat(16), "👋".repeat(4)]) {
      expect(await manager.submit({ roomId: "lobby", userId: "bob", text })).toMatchObject({ text });
    }
  });

  it("rejects a malformed cursor with invalid_cursor when opening and reading history", async () => {
    const manager = roomManagerForTest();
    const room = await observedRoom(manager);
    for (const since of BAD_CURSORS) {
      const cursor = untyped<string>(since);
      const invalid = { code: "invalid_cursor", field: "since" };
      await expectRoomRejection(
        manager.openListener("lobby", { userId: "bob", since: cursor }),
        ValidationError,
        invalid,
      );
      await expectRoomRejection(
        manager.openListener("elsewhere", { since: cursor }),
        ValidationError,
        invalid,
      );
      await expectRoomRejection(manager.history("lobby", { since: cursor }), ValidationError, invalid);
    }
    await room.expectNothingHappened();
  });

  it("rejects a submit whose input is not an object, or lacks fields", async () => {
    const manager = roomManagerForTest();
    const room = await observedRoom(manager);
    for (const input of [
      null,
      undefined,
      "lobby",
      42,
      {},
      { roomId: "lobby" },
      { roomId: "lobby", userId: "bob" },
    ]) {
      await expectRoomRejection(manager.submit(untyped<SubmitInput>(input)), ValidationError);
    }
    await room.expectNothingHappened();
  });

  it("quotes the bad value in the message and makes every failure a RoomError with a code", async () => {
    const manager = roomManagerForTest();
    await expect(manager.openListener("a b")).rejects.toThrow('got "a b"');
    await expect(manager.submit({ roomId: "a", userId: untyped<string>(42), text: "x" })).rejects.toThrow(
      "got 42 (number)",
    );
    await expect(manager.history("a", { since: "nope" })).rejects.toThrow('got "nope"');
    const error = await manager.getRoom("").catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(RoomError);
    expect(error).toMatchObject({ name: "ValidationError", code: "invalid_room_id" });
  });

  it("keeps working after bad input: the queue is not poisoned", async () => {
    const manager = roomManagerForTest();
    const failures = [
      manager.submit({ roomId: "", userId: "bob", text: "x" }),
      manager.openListener("lobby", { since: "bad" }),
      manager.history("lobby", { limit: 0 }),
    ].map((p) => p.catch(() => "failed"));
    const message = manager.submit({ roomId: "lobby", userId: "bob", text: "fine" });
    expect(await Promise.all(failures)).toEqual(["failed", "failed", "failed"]);
    expect(await message).toMatchObject({ text: "fine" });
  });
});
