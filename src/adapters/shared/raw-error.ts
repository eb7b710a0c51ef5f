import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import type { HttpErrorCode } from "./error-codes.js";
import { statusOf } from "./error-response.js";

/**
 * Answers on a bare socket, where no express response exists (a refused
 * connection, a refused WebSocket upgrade), with the same status and
 * `{"error":{"code","message"}}` body every route uses, then closes it.
 */
export function endSocketWithError(
  socket: Duplex,
  code: HttpErrorCode,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (socket.destroyed) return;
  const status = statusOf(code);
  const body = JSON.stringify({ error: { code, message } });
  const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  // The client may already be gone; its reset must not become an uncaught error.
  socket.on("error", () => undefined);
  socket.once("finish", () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      "Content-Type: application/json; charset=utf-8\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      extra.join("") +
      "Connection: close\r\n\r\n" +
      body,
  );
}
