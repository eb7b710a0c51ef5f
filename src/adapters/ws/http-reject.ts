import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { statusOf } from "../shared/index.js";

/**
 * Refuses an upgrade with a plain HTTP answer, before any WebSocket exists:
 * the `{"error":{"code","message"}}` body and status every HTTP route uses.
 */
export function rejectUpgrade(socket: Duplex, code: string, message: string): void {
  if (socket.destroyed) return;
  const status = statusOf(code);
  const body = JSON.stringify({ error: { code, message } });
  socket.once("finish", () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      "Content-Type: application/json; charset=utf-8\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      "Connection: close\r\n\r\n" +
      body,
  );
}
