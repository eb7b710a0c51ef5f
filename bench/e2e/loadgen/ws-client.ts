import { scanRecords } from "../shared/payload.js";
import type { Target } from "../shared/protocol.js";
import type { Collector, StreamCounter } from "./collector.js";
import { RawWebSocket } from "./raw-websocket.js";

const READY = Buffer.from('"type":"ready"');

/**
 * A WebSocket listener of `/ws/:roomId` (our adapter and the plain `ws`
 * server): waits for the `ready` frame, then scans each text frame for
 * message records.
 */
export class WsStream implements StreamCounter {
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
    this.#ws = new RawWebSocket(target, `/ws/${target.roomId}`, collector, {
      onText: (data, start, end) => this.#onText(data.subarray(start, end)),
      onError: (error) => this.#rejectReady(error),
      onClose: () => {
        this.open = false;
        if (this.#ready) this.#collector.closed++;
        else this.#rejectReady(new Error("closed before the ready event"));
      },
    });
  }

  get ready(): Promise<void> {
    return this.#readyPromise;
  }

  close(): void {
    this.#ws.close();
  }

  #onText(frame: Buffer): void {
    if (this.#ready) {
      if (scanRecords(frame, 0, this.#sink) === -1) this.#collector.malformed++;
    } else if (frame.indexOf(READY) !== -1) {
      this.#ready = true;
      this.#resolveReady();
    }
  }
}
