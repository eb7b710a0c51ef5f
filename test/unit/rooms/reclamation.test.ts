import { describe, expect, it } from "vitest";
import {
  MemoryRoomStore,
  RoomManager,
  RoomNotFoundError,
  TooManyRoomsError,
} from "../../../src/rooms/index.js";
import {
  closeRoomListener,
  expectRoomRejection,
  readyEventOf,
  roomEventsBeforeMarker,
  roomManagerForTest,
  submitRoomMessages,
} from "../../helpers/rooms.js";

const ids = (rooms: readonly { roomId: string }[]) => rooms.map((r) => r.roomId);

describe("RoomManager: reclaiming rooms", () => {
  it("drops a room without history from listRooms once its last listener has closed", async () => {
    const manager = roomManagerForTest();
    const bob = await manager.openListener("quiet", { userId: "bob" });
    const anonymous = await manager.openListener("quiet");
    await closeRoomListener(bob);
    expect(ids(await manager.listRooms())).toEqual(["quiet"]);
    await closeRoomListener(anonymous);
    expect(await manager.listRooms()).toEqual([]);
    await expectRoomRejection(manager.getRoom("quiet"), RoomNotFoundError, { roomId: "quiet" });
  });

  it("keeps a room with history after its last listener has closed", async () => {
    const manager = roomManagerForTest();
    const bob = await manager.openListener("busy", { userId: "bob" });
    const [message] = await submitRoomMessages(manager, "busy", 1);
    await closeRoomListener(bob);
    expect(await manager.listRooms()).toMatchObject([
      { roomId: "busy", listeners: 0, members: [], messageCount: 1, lastMessageId: message?.id },
    ]);
  });

  it("creates a named room with a valid id in createRoom, listed until someone uses it", async () => {
    const manager = roomManagerForTest();
    const created = await manager.createRoom();
    expect(created.roomId).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
    expect(created).toMatchObject({ listeners: 0, members: [], messageCount: 0, lastMessageId: null });
    expect(created.name.length).toBeGreaterThan(0);
    expect(await manager.listRooms()).toEqual([created]);
    expect(await manager.getRoom(created.roomId)).toEqual(created);
  });

  it("lists rooms sorted by id", async () => {
    const manager = roomManagerForTest();
    for (const roomId of ["b", "C", "a", "a.1", "_"]) await submitRoomMessages(manager, roomId, 1);
    expect(ids(await manager.listRooms())).toEqual(["C", "_", "a", "a.1", "b"]);
  });

  it("drops idle rooms to make room at maxRooms instead of refusing a new one", async () => {
    const manager = roomManagerForTest({ maxRooms: 3 });
    await manager.createRoom();
    await manager.createRoom();
    await submitRoomMessages(manager, "busy", 1);
    const listener = await manager.openListener("new");
    expect(await readyEventOf(listener)).toMatchObject({ roomId: "new" });
    expect(ids(await manager.listRooms())).toEqual(["busy", "new"]);
  });

  it("refuses maxRooms together with a store of the caller's, instead of ignoring it", () => {
    expect(() => new RoomManager({ store: new MemoryRoomStore(), maxRooms: 5 })).toThrow(
      /`maxRooms` sizes the default in-memory store; with `store` given, set the bound on that store/,
    );
  });

  it("refuses a new room with TooManyRoomsError when every room is in use, storing and announcing nothing", async () => {
    const manager = roomManagerForTest({ maxRooms: 2 });
    await submitRoomMessages(manager, "a", 1);
    const observer = await manager.openListener("a");
    await readyEventOf(observer);
    const listener = await manager.openListener("b", { userId: "bob" });

    const tooMany = { code: "too_many_rooms" };
    await expectRoomRejection(
      manager.submit({ roomId: "c", userId: "bob", text: "hi" }),
      TooManyRoomsError,
      tooMany,
    );
    await expectRoomRejection(manager.openListener("c", { userId: "bob" }), TooManyRoomsError, tooMany);
    await expectRoomRejection(manager.createRoom(), TooManyRoomsError, tooMany);
    expect(ids(await manager.listRooms())).toEqual(["a", "b"]);
    expect(await manager.getRoom("b")).toMatchObject({ listeners: 1, members: ["bob"] });
    expect(await roomEventsBeforeMarker(manager, observer)).toEqual([]);

    // Existing rooms keep working, and a room freed by its last listener makes space again.
    await submitRoomMessages(manager, "a", 1);
    await closeRoomListener(listener);
    // Rooms are ordered each on their own: room b's queue has run the release once this answers.
    await expectRoomRejection(manager.getRoom("b"), RoomNotFoundError, { code: "room_not_found" });
    await submitRoomMessages(manager, "c", 1);
    expect(ids(await manager.listRooms())).toEqual(["a", "c"]);
  });
});
