import { scanRecords } from "../shared/payload.js";
import type { Target } from "../shared/protocol.js";
import type { Collector, StreamCounter } from "./collector.js";
import { RawWebSocket } from "./raw-websocket.js";

const CHAR_0 = 0x30;
const CHAR_2 = 0x32;
const CHAR_4 = 0x34;

/**
 * A minimal Socket.IO v4 listener on a raw WebSocket: engine.io `open`/`ping`
 * and socket.io `CONNECT`, then a record scan of each event frame.
 * (socket.io-client would cost far more CPU per message than the server under test.)
 */
export class SocketIoStream implements StreamCounter {
  received = 0;
  open = true;
  readonly #ws: RawWebSocket;
  readonly #collector: Collector;
  #ready = false;
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
    this.#ws = new RawWebSocket(
      target,
      `/socket.io/?EIO=4&transport=websocket&room=${target.roomId}`,
      collector,
      {
        onText: (data, start, end) => this.#onText(data, start, end),
        onError: (error) => this.#rejectReady(error),
        onClose: () => {
          this.open = false;
          if (this.#ready) this.#collector.closed++;
          else this.#rejectReady(new Error("closed before the ready event"));
        },
      },
    );
  }

  get ready(): Promise<void> {
    return this.#readyPromise;
  }

  close(): void {
    this.#ws.close();
  }

  #onText(data: Buffer, start: number, end: number): void {
    const type = data[start];
    if (type === CHAR_4 && data[start + 1] === CHAR_2) {
      if (this.#ready) {
        if (scanRecords(data.subarray(start, end), 0, this.#sink) === -1) this.#collector.malformed++;
      } else if (data.toString("latin1", start, end).startsWith('42["ready"')) {
        this.#ready = true;
        this.#resolveReady();
      }
    } else if (type === CHAR_2) {
      this.#ws.send("3"); // engine.io pong
    } else if (type === CHAR_0) {
      this.#ws.send("40"); // socket.io CONNECT to the main namespace
    }
  }
}
