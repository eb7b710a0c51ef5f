import type { Socket } from "node:net";
import { nowUs } from "../shared/payload.js";
import type { Target } from "../shared/protocol.js";
import type { Collector, StreamCounter } from "./collector.js";
import { connectReading, responseHead } from "./read-socket.js";

const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

/**
 * A minimal WebSocket listener on a raw socket, for the load generator: the
 * handshake, unmasked server frames, pongs to pings, and text frames handed
 * to `onText` as slices of the read buffer. (A full client would cost far
 * more CPU per message than the server under test.) A subclass says when the
 * stream is ready (`markReady`) and what a text frame means.
 */
export abstract class RawWebSocketStream implements StreamCounter {
  received = 0;
  open = true;
  protected readonly collector: Collector;
  /** Set once the server's ready event arrived. */
  protected isReady = false;
  /** Reports a message record found in a frame. */
  protected readonly sink = (sentUs: number, seq: number): void => this.collector.record(this, sentUs, seq);
  readonly #socket: Socket;
  readonly #ready: Promise<void>;
  #resolveReady: () => void = () => undefined;
  #rejectReady: (error: Error) => void = () => undefined;
  #upgraded = false;
  #carry: Buffer | undefined;

  /** `path`: the request target of the upgrade, e.g. `/ws/lobby`. */
  constructor(target: Target, path: string, collector: Collector) {
    this.collector = collector;
    this.#ready = new Promise((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    this.#socket = connectReading(target, (data) => this.#onRead(data));
    this.#socket.on("connect", () => {
      this.#socket.write(
        `GET ${path} HTTP/1.1\r\n` +
          `Host: ${target.host}:${target.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
      );
    });
    this.#socket.on("error", (error) => this.#rejectReady(error));
    this.#socket.on("close", () => {
      this.open = false;
      if (this.isReady) this.collector.closed++;
      else this.#rejectReady(new Error("closed before the ready event"));
    });
  }

  /** Resolves once the server's ready event arrived. */
  get ready(): Promise<void> {
    return this.#ready;
  }

  close(): void {
    this.#socket.destroy();
  }

  /** A text frame's payload: `data.subarray(start, end)`, valid only during the call. */
  protected abstract onText(data: Buffer, start: number, end: number): void;

  protected markReady(): void {
    this.isReady = true;
    this.#resolveReady();
  }

  /** A client frame must be masked; a zero mask leaves the payload as is. */
  protected send(payload: string | Buffer, opcode = OP_TEXT): void {
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
      const head = responseHead(data);
      if (head === undefined) {
        this.#carry = Buffer.from(data);
        return;
      }
      if (!/^HTTP\/1\.1 101 /.test(head.status)) {
        this.#rejectReady(new Error(head.status));
        return void this.#socket.destroy();
      }
      this.#upgraded = true;
      pos = head.bodyStart;
    }
    this.collector.now = nowUs();
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
    if (opcode === OP_TEXT) this.onText(data, start, end);
    else if (opcode === OP_PING) this.send(data.subarray(start, end), OP_PONG);
    else if (opcode === OP_CLOSE) this.#socket.end();
  }
}
