import { connect, type Socket } from "node:net";
import { nowUs } from "../shared/payload.js";
import type { Target } from "../shared/protocol.js";
import type { Collector } from "./collector.js";

/** One read buffer for every socket: each read is parsed before the next one lands. */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
const HEADERS_END = Buffer.from("\r\n\r\n");
export const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

export interface RawWebSocketHandlers {
  /** A text frame's payload: `data.subarray(start, end)` (valid only during the call). */
  readonly onText: (data: Buffer, start: number, end: number) => void;
  /** The handshake failed or the socket errored. */
  readonly onError: (error: Error) => void;
  readonly onClose: () => void;
}

/**
 * A minimal WebSocket client on a raw socket, for the load generator: the
 * handshake, unmasked server frames, pongs to pings, and text frames handed
 * over as slices of the read buffer. (A full client would cost far more CPU
 * per message than the server under test.) It stamps `collector.now` once per
 * read.
 */
export class RawWebSocket {
  readonly #socket: Socket;
  readonly #collector: Collector;
  readonly #handlers: RawWebSocketHandlers;
  #upgraded = false;
  #carry: Buffer | undefined;

  /** `path`: the request target of the upgrade, e.g. `/ws/lobby`. */
  constructor(target: Target, path: string, collector: Collector, handlers: RawWebSocketHandlers) {
    this.#collector = collector;
    this.#handlers = handlers;
    this.#socket = connect({
      host: target.host,
      port: target.port,
      noDelay: true,
      onread: {
        buffer: READ_BUFFER,
        callback: (n) => {
          this.#onRead(READ_BUFFER.subarray(0, n));
          return true;
        },
      },
    });
    this.#socket.on("connect", () => {
      this.#socket.write(
        `GET ${path} HTTP/1.1\r\n` +
          `Host: ${target.host}:${target.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
      );
    });
    this.#socket.on("error", (error) => handlers.onError(error));
    this.#socket.on("close", () => handlers.onClose());
  }

  close(): void {
    this.#socket.destroy();
  }

  /** A client frame must be masked; a zero mask leaves the payload as is. */
  send(payload: string | Buffer, opcode = OP_TEXT): void {
    const body = typeof payload === "string" ? Buffer.from(payload) : payload;
    const header = Buffer.from([0x80 | opcode, 0x80 | body.length, 0, 0, 0, 0]);
    this.#socket.write(Buffer.concat([header, body]));
  }

  #onRead(read: Buffer): void {
    let data = read;
    if (this.#carry !== undefined) {
      data = Buffer.concat([this.#carry, read]);
      this.#carry = undefined;
    }
    let pos = 0;
    if (!this.#upgraded) {
      const end = data.indexOf(HEADERS_END);
      if (end === -1) {
        this.#carry = Buffer.from(data);
        return;
      }
      const status = data.toString("latin1", 0, data.indexOf("\r\n"));
      if (!/^HTTP\/1\.1 101 /.test(status)) {
        this.#handlers.onError(new Error(status));
        return void this.#socket.destroy();
      }
      this.#upgraded = true;
      pos = end + HEADERS_END.length;
    }
    this.#collector.now = nowUs();
    while (pos + 2 <= data.length) {
      const opcode = (data[pos] as number) & 0x0f;
      let length = (data[pos + 1] as number) & 0x7f;
      let header = 2;
      if (length === 126) {
        if (pos + 4 > data.length) break;
        length = data.readUInt16BE(pos + 2);
        header = 4;
      } else if (length === 127) {
        if (pos + 10 > data.length) break;
        length = data.readUInt32BE(pos + 6);
        header = 10;
      }
      if (pos + header + length > data.length) break;
      this.#onFrame(opcode, data, pos + header, pos + header + length);
      pos += header + length;
    }
    if (pos < data.length) this.#carry = Buffer.from(data.subarray(pos));
  }

  #onFrame(opcode: number, data: Buffer, start: number, end: number): void {
    if (opcode === OP_TEXT) this.#handlers.onText(data, start, end);
    else if (opcode === OP_PING) this.send(data.subarray(start, end), OP_PONG);
    else if (opcode === OP_CLOSE) this.#socket.end();
  }
}
