import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { RequestHandler } from "express";
import { type AdapterLabel, logStreamOpened, type StreamEndReason } from "../../observability/index.js";
import { parseCursor, type RoomManager } from "../../rooms/index.js";
import { streamer } from "./access.js";
import { queryString } from "./body.js";
import { deliveryReport } from "./delivery-report.js";
import { answerError, HttpError } from "./error-response.js";
import { HeartbeatSweep } from "./heartbeat-sweep.js";
import type { ResolvedHttpOptions } from "./http-options.js";
import { notesOf } from "./request-notes.js";
import { createFrameFormatter, HEARTBEAT_FRAME } from "./sse-frames.js";
import { pumpListener } from "./stream-pump.js";
import { tickCorker } from "./tick-batching.js";
import { whenTokenExpires } from "./token-expiry.js";

/** Serves `GET /stream/:roomId` for one adapter, on plain node request and response objects. */
export type SseStreams = (req: IncomingMessage, res: ServerResponse, roomId: string) => void;

/**
 * `GET /stream/:roomId` — a room as Server-Sent Events. `?userId=` counts as
 * presence; `Last-Event-ID` (sent by a reconnecting EventSource) or `?since=`
 * resumes after that message id. The stream ends after a `deleted` event, on
 * shutdown (clients reconnect and resume), or when the client falls too far
 * behind (the socket is dropped; the client resumes from its last id).
 * `adapter` labels its metrics and log lines. Refusals answer the JSON error
 * shape. It needs nothing of express: `createHttpApp` serves streams before
 * express sees them, which keeps express's per-request objects (about half a
 * stream's memory) out of every open stream.
 */
export function sseStreams(
  rooms: RoomManager,
  options: ResolvedHttpOptions,
  adapter: AdapterLabel,
): SseStreams {
  const formatter = createFrameFormatter();
  const corkForTick = tickCorker();
  const onDelivered = deliveryReport(options.metrics, adapter);
  const heartbeats = new HeartbeatSweep(HEARTBEAT_FRAME, options.heartbeatMs);
  let open = 0;
  return (req, res, roomId) => {
    notesOf(res).route = "/stream/:roomId";
    serve(req, res, roomId).catch((error: unknown) => answerError(req, res, error, options.logger));
  };

  async function serve(req: IncomingMessage, res: ServerResponse, roomId: string): Promise<void> {
    if (req.method === "HEAD") {
      // A stream's frames go straight to the socket, where nothing would stop them for
      // a HEAD, and opening one would join the user to the room.
      res.setHeader("allow", "GET");
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
    let streaming = false;
    try {
      streaming = await openStream(req, res, roomId);
    } finally {
      if (!streaming) open--;
    }
  }

  /**
   * Opens the stream and starts pumping; true once its headers are out (false
   * if the client left meanwhile). Returns without waiting for the stream's
   * end, and an open stream holds few objects of its own: the pump, its
   * 'close' listener on the socket, and the end below.
   */
  async function openStream(req: IncomingMessage, res: ServerResponse, roomId: string): Promise<boolean> {
    const { principal, release } = await streamer(req, options, roomId);
    res.on("close", release);
    // Node joins a repeated header of this kind into one string.
    const lastEventId = req.headers["last-event-id"] as string | undefined;
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
    const socket = await socketOf(res);
    if (socket === undefined) {
      // The client left while the listener was opening.
      stopExpiry();
      listener.close();
      return false;
    }
    try {
      startEventStream(req, res);
    } catch (error) {
      // Until the pump runs, nothing else would ever close the listener.
      stopExpiry();
      listener.close();
      throw error;
    }
    options.metrics?.streamOpened(adapter);
    notesOf(res).stream = true;
    const logClosed = logStreamOpened(options.logger, { adapter, roomId, userId: listener.userId });
    const stopHeartbeat = heartbeats.add(socket);
    // The pump closes the listener when the socket closes: no 'close' listener of our own.
    const ended = (reason: StreamEndReason): void => {
      open--;
      stopExpiry();
      stopHeartbeat();
      options.metrics?.streamClosed(adapter);
      logClosed(reason);
    };
    // The body is close-delimited (see startEventStream), so frames go straight to the
    // socket: res.write() would add a cork, a nextTick and three _send() calls per frame.
    pumpListener(listener, socket, {
      write: (events) => {
        corkForTick(socket);
        return socket.write(formatter.frames(events));
      },
      sizeOf: formatter.byteLength,
      maxBuffered: options.maxBufferedBytes,
      onDelivered,
    }).then(
      (outcome) => {
        // Ended without a deletion or an eviction: the token, the client, or else the server's shutdown.
        const reason: StreamEndReason =
          outcome !== "ended"
            ? outcome
            : tokenExpired
              ? "token_expired"
              : socket.destroyed
                ? "client_left"
                : "shutting_down";
        if (outcome === "slow_consumer") {
          options.metrics?.evicted(adapter, outcome);
          // Its buffer will not drain: free it now rather than wait for a timeout.
          res.destroy();
        } else res.end();
        ended(reason);
      },
      (error: unknown) => {
        options.logger.error({ err: error, roomId }, "SSE stream failed");
        res.destroy();
        ended("failed");
      },
    );
    return true;
  }
}

/**
 * The response's socket, once it has one: on a keep-alive connection a
 * response waits for the one before it (a POST just answered) to finish
 * first. `undefined` when the client left.
 */
function socketOf(res: ServerResponse): Promise<Socket | undefined> {
  const { socket } = res;
  if (socket !== null) return Promise.resolve(socket.destroyed ? undefined : socket);
  return new Promise((resolve) => {
    res.once("socket", (assigned: Socket) => resolve(assigned.destroyed ? undefined : assigned));
    res.once("close", () => resolve(undefined));
  });
}

/** Express's route for `GET /stream/:roomId`, for the routers used on their own. */
export function sseStreamHandler(streams: SseStreams): RequestHandler {
  return (req, res) => streams(req, res, req.params.roomId as string);
}

function startEventStream(req: IncomingMessage, res: ServerResponse): void {
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
