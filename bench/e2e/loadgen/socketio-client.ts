import { scanRecords } from "../shared/payload.js";
import type { Target } from "../shared/protocol.js";
import type { Collector } from "./collector.js";
import { RawWebSocketStream } from "./raw-websocket.js";

const CHAR_0 = 0x30;
const CHAR_2 = 0x32;
const CHAR_4 = 0x34;

/**
 * A minimal Socket.IO v4 listener on a raw WebSocket: engine.io `open`/`ping`
 * and socket.io `CONNECT`, then a record scan of each event frame.
 * (socket.io-client would cost far more CPU per message than the server under test.)
 */
export class SocketIoStream extends RawWebSocketStream {
  constructor(target: Target, collector: Collector) {
    super(target, `/socket.io/?EIO=4&transport=websocket&room=${target.roomId}`, collector);
  }

  protected override onText(data: Buffer, start: number, end: number): void {
    const type = data[start];
    if (type === CHAR_4 && data[start + 1] === CHAR_2) {
      if (this.isReady) {
        if (scanRecords(data.subarray(start, end), 0, this.sink) === -1) this.collector.malformed++;
      } else if (data.toString("latin1", start, end).startsWith('42["ready"')) {
        this.markReady();
      }
    } else if (type === CHAR_2) {
      this.send("3"); // engine.io pong
    } else if (type === CHAR_0) {
      this.send("40"); // socket.io CONNECT to the main namespace
    }
  }
}
