import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { type ServerOptions, WebSocketServer } from "ws";
import { AuthError, type Principal } from "../../auth/index.js";
import { recordRequest } from "../../observability/index.js";
import type { RoomListener, RoomManager } from "../../rooms/index.js";
import {
  DEFAULT_GRACE_MS,
  deliveryReport,
  describeError,
  endSocketWithError,
  type HttpErrorCode,
  statusOf,
  streamer,
  tickCorker,
  whenTokenExpires,
} from "../shared/index.js";
import { WS_CLOSE } from "./close-codes.js";
import { createWsFrameFormatter } from "./frames.js";
import { resolveWsOptions, type WsAdapterOptions } from "./options.js";
import { upgradeTarget } from "./upgrade-target.js";
import { WsSession, type WsSessionContext } from "./ws-session.js";

/** The WebSocket adapter attached to an HTTP server. */
export interface WsAdapter {
  /** Sockets open now. */
  readonly size: number;
  /**
   * Graceful stop: new upgrades get `503`, every socket is closed with 1012
   * and the cursor to reconnect with; sockets still open after `graceMs`
   * (their client never answered the close) are cut.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * Serves `GET /ws/:roomId?userId=&since=` upgrades on `server`. The room's
 * listener is opened before the upgrade, so bad input (room id, user id,
 * cursor) is an HTTP error with the usual JSON body, and `ready` is the first
 * frame. A caller refused by auth or a rate limit is the exception: the
 * socket opens and closes at once with 4401, 4403 or 4429, which a browser's
 * WebSocket can read (it never sees an HTTP status).
 */
export function attachWsAdapter(server: Server, rooms: RoomManager, options?: WsAdapterOptions): WsAdapter {
  const resolved = resolveWsOptions(options, rooms.maxMessageBytes);
  const { metrics, logger } = resolved;
  // No compression (a fan-out frame is written as is to every socket) and no tracking (sessions are ours).
  // `closeTimeout` is a ws 8.18 option @types/ws does not declare yet.
  const serverOptions: ServerOptions & { closeTimeout: number } = {
    noServer: true,
    maxPayload: resolved.maxPayloadBytes,
    perMessageDeflate: false,
    closeTimeout: resolved.closeTimeoutMs,
    clientTracking: false,
  };
  const wss = new WebSocketServer(serverOptions);
  const context: WsSessionContext = {
    rooms,
    options: resolved,
    frameOf: createWsFrameFormatter(),
    cork: tickCorker(),
    onDelivered: deliveryReport(metrics, "ws"),
  };
  const sessions = new Set<WsSession>();
  let opening = 0;
  let closing = false;

  const keepalive = setInterval(() => {
    for (const session of sessions) session.heartbeat();
  }, resolved.pingIntervalMs);
  keepalive.unref();

  /** A refused upgrade's error count and access line (an open socket has its stream lines instead). */
  const refused = (started: number, code: HttpErrorCode): void => {
    metrics?.requestError("ws", code);
    const seconds = (performance.now() - started) / 1000;
    const request = { adapter: "ws", route: "/ws/:roomId", method: "GET", seconds } as const;
    recordRequest(logger, metrics, { ...request, status: String(statusOf(code)) });
  };

  const refuse = (socket: Duplex, started: number, code: HttpErrorCode, message: string): void => {
    refused(started, code);
    endSocketWithError(socket, code, message);
  };

  const fail = (socket: Duplex, started: number, error: unknown): void => {
    const { code, message, known } = describeError(error);
    if (!known) logger.error({ err: error }, "WebSocket upgrade failed");
    refuse(socket, started, code, message);
  };

  // Logged with the HTTP status the close code stands for (4401: 401).
  const refuseInBand = (
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    started: number,
    error: AuthError,
  ) => {
    refused(started, error.code);
    const code = {
      unauthenticated: WS_CLOSE.unauthenticated,
      forbidden: WS_CLOSE.forbidden,
      rate_limited: WS_CLOSE.rateLimited,
    }[error.code];
    // A close reason is at most 123 bytes.
    wss.handleUpgrade(req, socket, head, (ws) => ws.close(code, error.message.slice(0, 123)));
  };

  const accept = (
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    listener: RoomListener,
    caller: Principal,
    since?: string,
  ) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      const address = req.socket.remoteAddress;
      const session = new WsSession(ws, socket, listener, { since, caller, address }, context);
      sessions.add(session);
      metrics?.streamOpened("ws");
      // A socket must not outlive its token: 4401, and the client reconnects with a fresh one.
      const stopExpiry = whenTokenExpires(resolved.auth, caller, () => session.tokenExpired());
      void session.closed.then(() => {
        stopExpiry();
        sessions.delete(session);
        metrics?.streamClosed("ws");
      });
      void session.run();
    });
  };

  const upgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer, started: number) => {
    // A client that resets before the handshake completes must not raise an unhandled 'error'.
    socket.on("error", () => undefined);
    const target = upgradeTarget(req);
    if (closing) return refuse(socket, started, "shutting_down", "The server is shutting down");
    if (sessions.size + opening >= resolved.maxSockets) {
      const message = `This server holds its maximum of ${resolved.maxSockets} WebSockets`;
      return refuse(socket, started, "too_many_streams", message);
    }
    // Counted before the await, so simultaneous upgrades cannot pass the limit together.
    opening++;
    let caller: Principal;
    let listener: RoomListener;
    let release = (): void => undefined;
    try {
      ({ principal: caller, release } = await streamer(req, resolved, target.roomId));
      listener = await rooms.openListener(target.roomId, {
        userId: caller.userId ?? target.userId,
        since: target.since,
      });
    } catch (error) {
      release();
      if (error instanceof AuthError && !socket.destroyed)
        return refuseInBand(req, socket, head, started, error);
      throw error;
    } finally {
      opening--;
    }
    // The socket's place in its caller's stream cap, freed however it ends (before or after the handshake).
    socket.once("close", release);
    // Also covers a handshake that `ws` refuses (bad Sec-WebSocket-Key...): it answers and closes.
    socket.once("close", () => listener.close());
    if (socket.destroyed) return listener.close();
    if (closing) {
      listener.close();
      return refuse(socket, started, "shutting_down", "The server is shutting down");
    }
    accept(req, socket, head, listener, caller, target.since);
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const started = performance.now();
    upgrade(req, socket, head, started).catch((error: unknown) => fail(socket, started, error));
  };
  server.on("upgrade", onUpgrade);

  return {
    get size() {
      return sessions.size;
    },
    close: async (graceMs = DEFAULT_GRACE_MS) => {
      closing = true;
      clearInterval(keepalive);
      const open = [...sessions];
      for (const session of open) session.shutdown();
      const timer = setTimeout(() => {
        for (const session of sessions) session.terminate();
      }, graceMs);
      timer.unref();
      await Promise.all(open.map((session) => session.closed));
      clearTimeout(timer);
    },
  };
}
