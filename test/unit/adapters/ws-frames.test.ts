import { describe, expect, it } from "vitest";
import { createWsFrameFormatter, errorFrame, submittedFrame } from "../../../src/adapters/ws/frames.js";

describe("WebSocket frames", () => {
  const frame = (event: Parameters<ReturnType<typeof createWsFrameFormatter>>[0]) =>
    JSON.parse(formatter(event).frame.toString());
  const formatter = createWsFrameFormatter();
  const message = {
    id: "e1-1",
    roomId: "lobby",
    userId: "ann",
    text: "hi",
    sentAt: "2026-12-02T00:00:00.000Z",
  };

  it("carries SSE's fields beside the event type", () => {
    expect(frame({ type: "message", message })).toEqual({ type: "message", ...message });
    expect(
      frame({ type: "ready", roomId: "lobby", members: ["ann"], lastId: null, recovered: null }),
    ).toEqual({
      type: "ready",
      roomId: "lobby",
      members: ["ann"],
      lastId: null,
      recovered: null,
    });
    expect(frame({ type: "joined", roomId: "lobby", userId: "bob" })).toEqual({
      type: "joined",
      roomId: "lobby",
      userId: "bob",
    });
    expect(frame({ type: "deleted", roomId: "lobby" })).toEqual({ type: "deleted", roomId: "lobby" });
  });

  it("serialises an event once however many sockets it reaches, and knows its UTF-8 size", () => {
    const event = { type: "message", message: { ...message, text: "héllo" } } as const;
    expect(formatter(event)).toBe(formatter(event));
    expect(formatter(event).bytes).toBe(Buffer.byteLength(formatter(event).frame.toString()));
  });

  it("echoes the client's ref in answers, and leaves it out when there was none", () => {
    expect(JSON.parse(submittedFrame(message, "r1"))).toEqual({ type: "submitted", message, ref: "r1" });
    expect(JSON.parse(submittedFrame(message, undefined))).toEqual({ type: "submitted", message });
    expect(JSON.parse(errorFrame("invalid_text", "no", 7))).toEqual({
      type: "error",
      error: { code: "invalid_text", message: "no" },
      ref: 7,
    });
  });
});
