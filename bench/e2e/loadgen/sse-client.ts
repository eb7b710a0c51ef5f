import type { Socket } from "node:net";
import { nowUs, scanRecords } from "../shared/payload.js";
import type { Target } from "../shared/protocol.js";
import type { Collector, StreamCounter } from "./collector.js";
import { connectReading, responseHead } from "./read-socket.js";

/** `event: ready` or `event:ready` (better-sse writes no space). */
const READY = Buffer.from("ready\n");
const FRAME_END = Buffer.from("\n\n");

/**
 * A minimal SSE client on a raw socket: it checks the status line, waits for
 * the `ready` frame, then only looks for message records (chunked encoding and
 * frame fields are skipped over by the record scan).
 */
export class SseStream implements StreamCounter {
  received = 0;
  open = true;
  readonly #socket: Socket;
  readonly #collector: Collector;
  #stage: "headers" | "ready" | "body" = "headers";
  /** Bytes of an incomplete header, ready frame or record, copied out of the shared buffer. */
  #carry: Buffer | undefined;
  readonly #sink = (sentUs: number, seq: number): void => this.#collector.record(this, sentUs, seq);
  readonly #ready: Promise<void>;
  #resolveReady: () => void = () => undefined;
  #rejectReady: (error: Error) => void = () => undefined;

  constructor(target: Target, collector: Collector) {
    this.#collector = collector;
    this.#ready = new Promise((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    this.#socket = connectReading(target, (data) => this.#onRead(data));
    this.#socket.on("connect", () => {
      this.#socket.write(
        `GET /stream/${target.roomId} HTTP/1.1\r\nHost: ${target.host}:${target.port}\r\n` +
          "Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n",
      );
    });
    this.#socket.on("error", (error) => this.#rejectReady(error));
    this.#socket.on("close", () => {
      this.open = false;
      if (this.#stage === "body") this.#collector.closed++;
      else this.#rejectReady(new Error("closed before the ready event"));
    });
  }

  /** Resolves once the stream's `ready` frame arrived. */
  get ready(): Promise<void> {
    return this.#ready;
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
    if (this.#stage === "body") {
      this.#collector.now = nowUs();
      const rest = scanRecords(data, 0, this.#sink);
      if (rest === -1) this.#collector.malformed++;
      else if (rest < data.length) this.#carry = Buffer.from(data.subarray(rest));
      return;
    }
    if (this.#stage === "headers") {
      const head = responseHead(data);
      if (head === undefined) {
        this.#carry = Buffer.from(data);
        return;
      }
      if (!/^HTTP\/1\.1 200 /.test(head.status)) {
        this.#rejectReady(new Error(head.status));
        return void this.#socket.destroy();
      }
      this.#stage = "ready";
      data = data.subarray(head.bodyStart);
    }
    const ready = data.indexOf(READY);
    const frameEnd = ready === -1 ? -1 : data.indexOf(FRAME_END, ready);
    if (frameEnd === -1) {
      this.#carry = Buffer.from(data);
      return;
    }
    this.#stage = "body";
    this.#resolveReady();
    const rest = data.subarray(frameEnd + FRAME_END.length);
    if (rest.length > 0) this.#onRead(Buffer.from(rest));
  }
}
