import { connect, type Socket } from "node:net";
import { nowUs, scanRecords } from "../shared/payload.js";
import type { Target } from "../shared/protocol.js";
import type { Collector, StreamCounter } from "./collector.js";

const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
const HEADERS_END = Buffer.from("\r\n\r\n");
const CHAR_0 = 0x30;
const CHAR_2 = 0x32;
const CHAR_4 = 0x34;
const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

/**
 * A minimal Socket.IO v4 listener on a raw socket: the WebSocket handshake,
 * unmasked server frames, engine.io `open`/`ping` and socket.io `CONNECT`,
 * then a record scan of each event frame. (socket.io-client would cost far
 * more CPU per message than the server under test.)
 */
export class SocketIoStream implements StreamCounter {
  received = 0;
  open = true;
  readonly #socket: Socket;
  readonly #collector: Collector;
  #upgraded = false;
  #ready = false;
  #carry: Buffer | undefined;
  readonly #sink = (sentUs: number, seq: number): void => this.#collector.record(this, sentUs, seq);
  readonly #readyPromise: Promise<void>;
  #resolveReady: () => void = () => undefined;
  #rejectReady: (error: Error) => void = () => undefined;

  constructor(target: Target, collector: Collector) {
    this.#collector = collector;
    this.#readyPromise = new Promise((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
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
        `GET /socket.io/?EIO=4&transport=websocket&room=${target.roomId} HTTP/1.1\r\n` +
          `Host: ${target.host}:${target.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
      );
    });
    this.#socket.on("error", (error) => this.#rejectReady(error));
    this.#socket.on("close", () => {
      this.open = false;
      if (this.#ready) this.#collector.closed++;
      else this.#rejectReady(new Error("closed before the ready event"));
    });
  }

  get ready(): Promise<void> {
    return this.#readyPromise;
  }

  close(): void {
    this.#socket.destroy();
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
        this.#rejectReady(new Error(status));
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
    if (opcode === OP_TEXT) {
      const type = data[start];
      if (type === CHAR_4 && data[start + 1] === CHAR_2) {
        if (this.#ready) {
          if (scanRecords(data.subarray(start, end), 0, this.#sink) === -1) this.#collector.malformed++;
        } else if (data.toString("latin1", start, end).startsWith('42["ready"')) {
          this.#ready = true;
          this.#resolveReady();
        }
      } else if (type === CHAR_2) {
        this.#send("3"); // engine.io pong
      } else if (type === CHAR_0) {
        this.#send("40"); // socket.io CONNECT to the main namespace
      }
    } else if (opcode === OP_PING) {
      this.#send(data.subarray(start, end), OP_PONG);
    } else if (opcode === OP_CLOSE) {
      this.#socket.end();
    }
  }

  /** A client frame must be masked; a zero mask leaves the payload as is. */
  #send(payload: string | Buffer, opcode = OP_TEXT): void {
    const body = typeof payload === "string" ? Buffer.from(payload) : payload;
    const header = Buffer.from([0x80 | opcode, 0x80 | body.length, 0, 0, 0, 0]);
    this.#socket.write(Buffer.concat([header, body]));
  }
}
