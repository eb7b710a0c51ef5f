import { describe, expect, it } from "vitest";
import { fromWireEvent, fromWireRoom } from "../../../src/adapters/grpc/index.js";
import { toWireEvent, toWireRoom } from "../../../src/adapters/grpc/wire.js";
import type { RoomEvent, RoomInfo } from "../../../src/rooms/index.js";

const message = {
  id: "3f9a01-7",
  roomId: "lobby",
  userId: "ann",
  text: "hi\nthere",
  sentAt: "2026-12-02T18:19:56.123Z",
};

const EVENTS: RoomEvent[] = [
  { type: "ready", roomId: "lobby", members: ["ann", "bob"], lastId: "3f9a01-7", recovered: true },
  { type: "ready", roomId: "lobby", members: [], lastId: null, recovered: null },
  { type: "ready", roomId: "lobby", members: ["ann"], lastId: "3f9a01-2", recovered: false },
  { type: "message", message },
  { type: "joined", roomId: "lobby", userId: "bob" },
  { type: "left", roomId: "lobby", userId: "bob" },
  { type: "deleted", roomId: "lobby" },
];

describe("gRPC wire shapes: one conversion each way", () => {
  it.each(EVENTS.map((event) => [`${event.type} ${JSON.stringify(event)}`, event] as const))(
    "reads back %s as it was written",
    (_, event) => {
      expect(fromWireEvent(toWireEvent(event))).toEqual(event);
    },
  );

  it("reads back a room, with and without a last message", () => {
    const room: RoomInfo = {
      roomId: "lobby",
      name: "Lobby",
      listeners: 2,
      members: ["ann"],
      messageCount: 7,
      lastMessageId: "3f9a01-7",
      createdAt: "2026-12-02T18:00:00.000Z",
    };
    expect(fromWireRoom(toWireRoom(room))).toEqual(room);
    expect(fromWireRoom(toWireRoom({ ...room, lastMessageId: null, messageCount: 0 }))).toEqual({
      ...room,
      lastMessageId: null,
      messageCount: 0,
    });
  });
});
