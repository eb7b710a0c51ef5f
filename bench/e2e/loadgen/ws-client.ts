import { scanRecords } from "../shared/payload.js";
import type { Target } from "../shared/protocol.js";
import type { Collector } from "./collector.js";
import { RawWebSocketStream } from "./raw-websocket.js";

const READY = Buffer.from('"type":"ready"');

/**
 * A WebSocket listener of `/ws/:roomId` (our adapter and the plain `ws`
 * server): waits for the `ready` frame, then scans each text frame for
 * message records.
 */
export class WsStream extends RawWebSocketStream {
  constructor(target: Target, collector: Collector) {
    super(target, `/ws/${target.roomId}`, collector);
  }

  protected override onText(data: Buffer, start: number, end: number): void {
    const frame = data.subarray(start, end);
    if (this.isReady) {
      if (scanRecords(frame, 0, this.sink) === -1) this.collector.malformed++;
    } else if (frame.indexOf(READY) !== -1) {
      this.markReady();
    }
  }
}
