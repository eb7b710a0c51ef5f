import { connect, type Socket } from "node:net";
import type { Target } from "../shared/protocol.js";

/** One read buffer for every socket: each read is parsed before the next one lands. */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/**
 * Connects to the target with Nagle off, reading into the shared buffer:
 * `onRead` gets a view of what was read, valid only during the call (copy
 * what must outlive it).
 */
export function connectReading(target: Target, onRead: (data: Buffer) => void): Socket {
  return connect({
    host: target.host,
    port: target.port,
    noDelay: true,
    onread: {
      buffer: READ_BUFFER,
      callback: (n) => {
        onRead(READ_BUFFER.subarray(0, n));
        return true;
      },
    },
  });
}

const HEADERS_END = Buffer.from("\r\n\r\n");

/**
 * The status line of a response whose head is complete in `data`, and where
 * its body starts; `undefined` while the head is still incomplete.
 */
export function responseHead(
  data: Buffer,
): { readonly status: string; readonly bodyStart: number } | undefined {
  const end = data.indexOf(HEADERS_END);
  if (end === -1) return undefined;
  return { status: data.toString("latin1", 0, data.indexOf("\r\n")), bodyStart: end + HEADERS_END.length };
}
