import type { Request, RequestHandler, Response } from "express";
import type { RoomManager } from "../../rooms/index.js";
import { pumpListener } from "../stream-pump.js";
import { queryString } from "./body.js";
import { HttpError } from "./error-response.js";
import type { ResolvedHttpOptions } from "./options.js";
import { createFrameFormatter, HEARTBEAT_FRAME } from "./sse-frames.js";

/**
 * `GET /stream/:roomId` — a room as Server-Sent Events. `?userId=` counts as
 * presence; `Last-Event-ID` (sent by a reconnecting EventSource) or `?since=`
 * resumes after that message id. The stream ends after a `deleted` event, on
 * shutdown (clients reconnect and resume), or when the client falls too far
 * behind (the socket is dropped; the client resumes from its last id).
 */
export function sseStreamHandler(rooms: RoomManager, options: ResolvedHttpOptions): RequestHandler {
  const formatter = createFrameFormatter();
  let open = 0;
  return async (req, res) => {
    if (open >= options.maxStreams) {
      throw new HttpError(
        "too_many_streams",
        `This server holds its maximum of ${options.maxStreams} streams`,
      );
    }
    // Counted before the await, so simultaneous opens cannot pass the limit together.
    open++;
    try {
      await streamRoom(req, res);
    } finally {
      open--;
    }
  };

  async function streamRoom(req: Request, res: Response): Promise<void> {
    const abort = new AbortController();
    const listener = await rooms.openListener(req.params.roomId as string, {
      userId: queryString(req, "userId"),
      since: req.get("last-event-id") || queryString(req, "since"),
      signal: abort.signal,
    });
    options.metrics?.streamOpened("sse");
    res.on("close", () => abort.abort());
    startEventStream(req, res);
    const heartbeat = setInterval(() => {
      if (res.writableLength === 0) res.write(HEARTBEAT_FRAME);
    }, options.heartbeatMs);
    heartbeat.unref();
    try {
      const outcome = await pumpListener(listener, res, {
        write: (events) => res.write(formatter.frames(events)),
        sizeOf: formatter.byteLength,
        maxBuffered: options.maxBufferedBytes,
        ...(options.metrics === undefined
          ? {}
          : { onDelivered: (n: number) => options.metrics?.delivered("sse", n) }),
      });
      if (outcome === "slow_consumer") {
        options.metrics?.evicted("sse", outcome);
        options.logger.info({ roomId: listener.roomId, outcome }, "slow SSE client dropped");
        // Its buffer will not drain: free it now rather than wait for a timeout.
        res.destroy();
      } else {
        res.end();
      }
    } finally {
      clearInterval(heartbeat);
      options.metrics?.streamClosed("sse");
    }
  }
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
