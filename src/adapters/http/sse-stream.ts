import type { Request, RequestHandler, Response } from "express";
import type { RoomEvent, RoomManager } from "../../rooms/index.js";
import { pumpListener } from "../stream-pump.js";
import { queryString } from "./body.js";
import { HttpError } from "./error-response.js";
import type { ResolvedHttpOptions } from "./options.js";
import { SlicedListener } from "./sliced-listener.js";
import { createFrameFormatter, HEARTBEAT_FRAME } from "./sse-frames.js";

/**
 * `GET /stream/:roomId` — a room as Server-Sent Events. `?userId=` counts as
 * presence; `Last-Event-ID` (sent by a reconnecting EventSource) or `?since=`
 * resumes after that message id. The stream ends after a `deleted` event, on
 * shutdown (clients reconnect and resume), or when the client falls too far
 * behind (the socket is dropped; the client resumes from its last id).
 */
export function sseStreamHandler(rooms: RoomManager, options: ResolvedHttpOptions): RequestHandler {
  const format = createFrameFormatter();
  const sizes = new WeakMap<RoomEvent, number>();
  const sizeOf = (event: RoomEvent): number => {
    let size = sizes.get(event);
    if (size === undefined) {
      size = Buffer.byteLength(format([event]));
      sizes.set(event, size);
    }
    return size;
  };
  let open = 0;
  return async (req, res) => {
    const since = req.get("last-event-id") || queryString(req, "since");
    const userId = queryString(req, "userId");
    if (open >= options.maxStreams) {
      throw new HttpError(
        "too_many_streams",
        `This server holds its maximum of ${options.maxStreams} streams`,
      );
    }
    const abort = new AbortController();
    const listener = await rooms.openListener(req.params["roomId"] as string, {
      userId,
      since,
      signal: abort.signal,
    });
    open++;
    options.metrics?.streamOpened("sse");
    res.on("close", () => abort.abort());
    // A listener that overflowed while the pump waits for a 'drain' that a client which
    // stopped reading never sends: drop the socket now, or the stream would hang open forever.
    void listener.closed.then((error) => {
      if (error !== undefined) res.destroy();
    });
    startEventStream(req, res);
    const heartbeat = setInterval(() => {
      if (res.writableLength === 0) res.write(HEARTBEAT_FRAME);
    }, options.heartbeatMs);
    heartbeat.unref();
    try {
      // Half the bound per batch: what the socket still held when it last took data stays below it.
      const sliced = new SlicedListener(listener, sizeOf, options.maxBufferedBytes / 2);
      const outcome = await pumpListener(sliced, res, {
        write: (events) => res.write(format(events)),
        maxBuffered: options.maxBufferedBytes,
        ...(options.metrics === undefined
          ? {}
          : { onDelivered: (n: number) => options.metrics?.delivered("sse", n) }),
      });
      if (outcome === "slow_consumer" || outcome === "socket_backpressure") {
        options.metrics?.evicted("sse", outcome);
        options.logger.info({ roomId: listener.roomId, outcome }, "slow SSE client dropped");
        // Its buffer will not drain: free it now rather than wait for a timeout.
        res.destroy();
      } else {
        res.end();
      }
    } finally {
      clearInterval(heartbeat);
      open--;
      options.metrics?.streamClosed("sse");
    }
  };
}

function startEventStream(req: Request, res: Response): void {
  req.socket.setNoDelay(true);
  req.socket.setTimeout(0);
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache, no-transform",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  // Tells EventSource how soon to reconnect after the stream ends.
  res.write("retry: 1000\n\n");
}
