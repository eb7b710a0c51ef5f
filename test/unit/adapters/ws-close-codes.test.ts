import { describe, expect, it } from "vitest";
import { resumeReason, WS_CLOSE } from "../../../src/adapters/ws/close-codes.js";

describe("WebSocket close codes", () => {
  it("uses the registered codes for protocol conditions and the private range for resumable ones", () => {
    expect(WS_CLOSE).toMatchObject({
      normal: 1000,
      serviceRestart: 1012,
      slowConsumer: 4001,
      historyLost: 4002,
    });
    for (const code of Object.values(WS_CLOSE)) expect(code >= 4000 || code <= 1015).toBe(true);
  });

  it("names the cursor to reconnect with, and keeps the reason within a close frame's 123 bytes", () => {
    expect(resumeReason("too slow", "e1-7")).toBe("too slow: reconnect with since=e1-7");
    expect(resumeReason("server restarting", undefined)).toBe("server restarting: reconnect");
    expect(Buffer.byteLength(resumeReason("too slow", "x".repeat(200)))).toBe(123);
  });
});
