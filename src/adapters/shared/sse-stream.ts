import type { Request, RequestHandler, Response } from "express";
import { type AdapterLabel, logStreamOpened, type StreamEndReason } from "../../observability/index.js";
import { parseCursor, type RoomManager } from "../../rooms/index.js";
import { streamer } from "./access.js";
import { queryString } from "./body.js";
import { deliveryReport } from "./delivery-report.js";
import { HttpError } from "./error-response.js";
import { HeartbeatSweep } from "./heartbeat-sweep.js";
import type { ResolvedHttpOptions } from "./http-options.js";
import { notesOf } from "./request-notes.js";
import { createFrameFormatter, HEARTBEAT_FRAME } from "./sse-frames.js";
import { pumpListener } from "./stream-pump.js";
import { tickCorker } from "./tick-batching.js";
import { whenTokenExpires } from "./token-expiry.js";

/**
 * `GET /stream/:roomId` — a room as Server-Sent Events. `?userId=` counts as
 * presence; `Last-Event-ID` (sent by a reconnecting EventSource) or `?since=`
 * resumes after that message id. The stream ends after a `deleted` event, on
 * shutdown (clients reconnect and resume), or when the client falls too far
 * behind (the socket is dropped; the client resumes from its last id).
 * `adapter` labels its metrics and log lines.
 */
export function sseStreamHandler(
  rooms: RoomManager,
  options: ResolvedHttpOptions,
  adapter: AdapterLabel,
): RequestHandler {
  const formatter = createFrameFormatter();
  const corkForTick = tickCorker();
  const onDelivered = deliveryReport(options.metrics, adapter);
  const heartbeats = new HeartbeatSweep(HEARTBEAT_FRAME, options.heartbeatMs);
  let open = 0;
  return async (req, res) => {
    if (req.method === "HEAD") {
      // Express routes HEAD to GET handlers; a stream's frames go straight to the socket,
      // where nothing would stop them, and opening one would join the user to the room.
      res.set("allow", "GET");
      throw new HttpError("method_not_allowed", "A stream has no HEAD; open it with GET");
    }
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
    const roomId = req.params.roomId as string;
    const { principal, release } = await streamer(req, options, roomId);
    res.on("close", release);
    const lastEventId = req.get("last-event-id");
    // Checked here so that the error names the header the client sent, not `since`.
    if (lastEventId) parseCursor(lastEventId, "Last-Event-ID");
    const listener = await rooms.openListener(roomId, {
      userId: principal.userId ?? queryString(req, "userId"),
      since: lastEventId || queryString(req, "since"),
    });
    // A stream must not outlive its token: it ends, and the client resumes with a fresh one.
    let tokenExpired = false;
    const stopExpiry = whenTokenExpires(options.auth, principal, () => {
      tokenExpired = true;
      listener.close();
    });
    res.on("close", stopExpiry);
    // Closing the listener on 'close' costs less per idle stream than an AbortController.
    res.on("close", () => listener.close());
    const socket = res.socket;
    if (socket === null || socket.destroyed) {
      // The client left while the listener was opening.
      listener.close();
      return;
    }
    options.metrics?.streamOpened(adapter);
    notesOf(res).stream = true;
    const logClosed = logStreamOpened(options.logger, { adapter, roomId, userId: listener.userId });
    startEventStream(req, res);
    const stopHeartbeat = heartbeats.add(socket);
    let reason: StreamEndReason = "shutting_down";
    try {
      // The body is close-delimited (see startEventStream), so frames go straight to the
      // socket: res.write() would add a cork, a nextTick and three _send() calls per frame.
      const outcome = await pumpListener(listener, socket, {
        write: (events) => {
          corkForTick(socket);
          return socket.write(formatter.frames(events));
        },
        sizeOf: formatter.byteLength,
        maxBuffered: options.maxBufferedBytes,
        onDelivered,
      });
      // Ended without a deletion or an eviction: the token, the client, or else the server's shutdown.
      if (outcome !== "ended") reason = outcome;
      else if (tokenExpired) reason = "token_expired";
      else if (socket.destroyed) reason = "client_left";
      if (outcome === "slow_consumer") {
        options.metrics?.evicted(adapter, outcome);
        // Its buffer will not drain: free it now rather than wait for a timeout.
        res.destroy();
      } else res.end();
    } finally {
      stopHeartbeat();
      options.metrics?.streamClosed(adapter);
      logClosed(reason);
    }
  }
}

function startEventStream(req: Request, res: Response): void {
  req.socket.setNoDelay(true);
  req.socket.setTimeout(0);
  // A close-delimited body (valid HTTP/1.1; a stream ends by closing anyway) instead of
  // chunked encoding: each frame is written as is, with no chunk header.
  res.useChunkedEncodingByDefault = false;
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache, no-transform",
    connection: "close",
    "x-accel-buffering": "no",
  });
  // Tells EventSource how soon to reconnect after the stream ends.
  res.write("retry: 1000\n\n");
}
