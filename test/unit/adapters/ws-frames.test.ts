import { describe, expect, it } from "vitest";
import { createWsFrameFormatter } from "../../../src/adapters/ws/frames.js";

describe("WebSocket frames", () => {
  const frame = createWsFrameFormatter();
  const message = {
    id: "e1-1",
    roomId: "lobby",
    userId: "ann",
    text: "hi",
    sentAt: "2026-12-02T00:00:00.000Z",
  };

  it("carries SSE's fields beside the event type", () => {
    expect(JSON.parse(frame({ type: "message", message }))).toEqual({ type: "message", ...message });
    expect(
      JSON.parse(frame({ type: "ready", roomId: "lobby", members: ["ann"], lastId: null, recovered: null })),
    ).toEqual({ type: "ready", roomId: "lobby", members: ["ann"], lastId: null, recovered: null });
    expect(JSON.parse(frame({ type: "joined", roomId: "lobby", userId: "bob" }))).toEqual({
      type: "joined",
      roomId: "lobby",
      userId: "bob",
    });
    expect(JSON.parse(frame({ type: "deleted", roomId: "lobby" }))).toEqual({
      type: "deleted",
      roomId: "lobby",
    });
  });

  it("serialises an event once however many sockets it reaches", () => {
    const event = { type: "message", message } as const;
    expect(frame(event)).toBe(frame(event));
  });
});
