import type { Duplex } from "node:stream";
import type { RawData, WebSocket } from "ws";
import { AuthError, authorize, type Principal, rateKey } from "../../auth/index.js";
import { logStreamOpened, type StreamEndReason } from "../../observability/index.js";
import { RoomError, type RoomEvent, type RoomListener, type RoomManager } from "../../rooms/index.js";
import { type CachedFrame, type PumpOutcome, pumpListener } from "../shared/index.js";
import { type ClientFrame, parseClientFrame } from "./client-frames.js";
import { resumeReason, WS_CLOSE } from "./close-codes.js";
import { errorFrame, submittedFrame } from "./frames.js";
import type { ResolvedWsOptions } from "./options.js";
import { FrameRateLimiter, type RateVerdict } from "./rate-limit.js";

/** What every session of one adapter shares. */
export interface WsSessionContext {
  readonly rooms: RoomManager;
  readonly options: ResolvedWsOptions;
  readonly frameOf: (event: RoomEvent) => CachedFrame<Buffer>;
  /** Corks a socket until the end of the tick (one syscall per burst). */
  readonly cork: (socket: Duplex) => void;
  /** Reports delivered events to the metrics. */
  readonly onDelivered: ((events: readonly RoomEvent[]) => void) | undefined;
}

/** Event payloads are UTF-8 JSON in Buffers: sent as text frames. */
const TEXT = { binary: false } as const;

/** How a session was opened. */
export interface WsSessionStart {
  /** The cursor the socket was opened with, if any. */
  readonly since: string | undefined;
  /** Who opened it: with auth on, they post as the token's user, where its capabilities allow. */
  readonly caller: Principal;
  /** The client's address: its rate limits' key when auth is off. */
  readonly address: string | undefined;
}

/** Client frames read but not yet answered, past which the socket stops reading (TCP pushes back). */
const MAX_PENDING_FRAMES = 32;

/**
 * One WebSocket on one room: room events out through the shared pump (same
 * byte bound and eviction as SSE), client frames in, answered in the order
 * they came. Frames that arrive before `ready` was written wait for it.
 */
export class WsSession {
  readonly #ws: WebSocket;
  readonly #socket: Duplex;
  readonly #listener: RoomListener;
  readonly #caller: Principal;
  readonly #address: string | undefined;
  readonly #context: WsSessionContext;
  readonly #limiter: FrameRateLimiter;
  /** The cursor to resume from: the last message written, else where the stream started. */
  #lastId: string | undefined;
  #alive = true;
  #closing = false;
  /** Why the server closed the socket; a close it did not start is the client's. */
  #endReason: StreamEndReason = "client_left";
  /** No more client frames are read (a close is queued behind their answers). */
  #ending = false;
  #inbound: Promise<void>;
  #pending = 0;
  #readyWritten: () => void = () => undefined;
  /** Resolves when the socket is closed. */
  readonly closed: Promise<void>;

  constructor(
    ws: WebSocket,
    socket: Duplex,
    listener: RoomListener,
    { since, caller, address }: WsSessionStart,
    context: WsSessionContext,
  ) {
    this.#ws = ws;
    this.#lastId = since;
    this.#caller = caller;
    this.#address = address;
    this.#socket = socket;
    this.#listener = listener;
    this.#context = context;
    const { messagesPerSecond, messageBurst, maxRejectedInARow } = context.options;
    this.#limiter = new FrameRateLimiter({
      perSecond: messagesPerSecond,
      burst: messageBurst,
      maxRejectedInARow,
    });
    this.#inbound = new Promise<void>((resolve) => {
      this.#readyWritten = resolve;
    });
    const { roomId, userId } = listener;
    const logClosed = logStreamOpened(context.options.logger, { adapter: "ws", roomId, userId });
    this.closed = new Promise<void>((resolve) =>
      ws.once("close", () => {
        logClosed(this.#endReason);
        resolve();
      }),
    );
    ws.on("message", (data, isBinary) => this.#receive(data, isBinary));
    ws.on("pong", () => {
      this.#alive = true;
    });
    ws.once("close", () => listener.close());
    // Protocol errors (an oversize frame, a bad opcode): `ws` closes the socket with their code itself.
    ws.on("error", () => undefined);
  }

  /** Streams the room until the listener ends, then closes the socket with the code that says why. */
  async run(): Promise<void> {
    let outcome: PumpOutcome;
    try {
      outcome = await pumpListener(this.#listener, this.#socket, {
        write: (events) => this.#write(events),
        sizeOf: (event) => this.#context.frameOf(event).bytes,
        maxBuffered: this.#context.options.maxBufferedBytes,
        onDelivered: this.#context.onDelivered,
      });
    } catch (error) {
      this.#context.options.logger.error(
        { err: error, roomId: this.#listener.roomId },
        "WebSocket stream failed",
      );
      this.#close(WS_CLOSE.internalError, resumeReason("internal error", this.#lastId), "failed");
      return;
    }
    switch (outcome) {
      case "deleted":
        this.#close(WS_CLOSE.normal, "room deleted", outcome);
        return;
      case "slow_consumer":
        this.#context.options.metrics?.evicted("ws", outcome);
        this.#close(WS_CLOSE.slowConsumer, resumeReason("too slow", this.#lastId), outcome);
        return;
      case "history_lost":
        this.#close(WS_CLOSE.historyLost, resumeReason("history lost", this.#lastId), outcome);
        return;
      case "ended":
        // The client left, or the server ended the listener: it is shutting down.
        this.shutdown();
    }
  }

  /** Closes with 1012 and the cursor to reconnect with. */
  shutdown(): void {
    this.#close(WS_CLOSE.serviceRestart, resumeReason("server restarting", this.#lastId), "shutting_down");
  }

  /** Closes with 4401 and the cursor to reconnect with (with a fresh token). */
  tokenExpired(): void {
    this.#close(WS_CLOSE.unauthenticated, resumeReason("token expired", this.#lastId), "token_expired");
  }

  /** Cuts the socket without a closing handshake. */
  terminate(): void {
    this.#ws.terminate();
  }

  /** The keepalive tick: cuts a peer that did not answer the previous ping, pings the others. */
  heartbeat(): void {
    if (!this.#alive) {
      this.#ws.terminate();
      return;
    }
    this.#alive = false;
    this.#ws.ping();
  }

  #write(events: readonly RoomEvent[]): boolean {
    this.#context.cork(this.#socket);
    for (const event of events) {
      this.#ws.send(this.#context.frameOf(event).frame, TEXT);
      if (event.type === "message") this.#lastId = event.message.id;
      else if (event.type === "ready" && this.#lastId === undefined) this.#lastId = event.lastId ?? undefined;
    }
    this.#readyWritten();
    return !this.#socket.writableNeedDrain;
  }

  #close(code: number, reason: string, endReason: StreamEndReason): void {
    if (this.#closing) return;
    this.#closing = true;
    // A socket the client already closed keeps `client_left`.
    if (this.#ws.readyState === this.#ws.OPEN) this.#endReason = endReason;
    this.#ending = true;
    this.#listener.close();
    this.#ws.close(code, reason);
  }

  #receive(data: RawData, isBinary: boolean): void {
    this.#alive = true;
    if (this.#ending) return;
    if (isBinary) {
      this.#endAfterAnswers(
        WS_CLOSE.unsupportedData,
        "binary frames are not accepted: send text (JSON or a plain line)",
      );
      return;
    }
    const verdict = this.#limiter.take();
    if (verdict === "close") {
      this.#context.options.metrics?.requestError("ws", "rate_limited");
      this.#endAfterAnswers(WS_CLOSE.policyViolation, "rate limit exceeded");
      return;
    }
    const frame = parseClientFrame(data.toString());
    this.#enqueue(() => this.#answer(frame, verdict));
  }

  /** Reads no more frames; closes once the frames before this one were answered. */
  #endAfterAnswers(code: number, reason: string): void {
    this.#ending = true;
    this.#enqueue(async () => this.#close(code, reason, "client_error"));
  }

  /** Runs `task` after the tasks of earlier frames; stops reading while too many wait. */
  #enqueue(task: () => Promise<void>): void {
    if (++this.#pending === MAX_PENDING_FRAMES) this.#ws.pause();
    this.#inbound = this.#inbound
      .then(task)
      .catch((error: unknown) =>
        this.#context.options.logger.error({ err: error }, "WebSocket answer failed"),
      )
      .finally(() => {
        if (this.#pending-- === MAX_PENDING_FRAMES) this.#ws.resume();
      });
  }

  async #answer(frame: ClientFrame, verdict: RateVerdict): Promise<void> {
    if (frame.kind === "invalid") return this.#refuse(frame.code, frame.message, frame.ref);
    if (verdict === "reject") {
      const { messagesPerSecond } = this.#context.options;
      return this.#refuse(
        "rate_limited",
        `More than ${messagesPerSecond} messages per second: slow down`,
        frame.ref,
      );
    }
    const { roomId } = this.#listener;
    let tokenUser: string | undefined;
    try {
      tokenUser = authorize(this.#caller, "publish", roomId).userId;
      await this.#context.options.rateLimits?.takeSubmit(rateKey(this.#caller, this.#address));
    } catch (error) {
      if (error instanceof AuthError) return this.#refuse(error.code, error.message, frame.ref);
      throw error;
    }
    // With a token, the user is the token's: a `userId` in the frame is ignored.
    const own = tokenUser ?? this.#listener.userId;
    if (tokenUser === undefined && own !== undefined && frame.userId !== undefined && frame.userId !== own) {
      const message = `This socket posts as ${JSON.stringify(own)}: leave \`userId\` out or give the same`;
      return this.#refuse("invalid_user_id", message, frame.ref);
    }
    const userId = own ?? frame.userId;
    if (userId === undefined) {
      const message =
        'Connect with ?userId=<name> to post, or send {"type":"submit","userId":"<name>","text":"..."}';
      return this.#refuse("user_id_required", message, frame.ref);
    }
    try {
      const message = await this.#context.rooms.submit({ roomId, userId, text: frame.text });
      this.#send(submittedFrame(message, frame.ref));
    } catch (error) {
      if (error instanceof RoomError) return this.#refuse(error.code, error.message, frame.ref);
      this.#context.options.logger.error({ err: error, roomId }, "WebSocket submit failed");
      this.#refuse("internal", "Internal server error", frame.ref);
    }
  }

  #refuse(code: string, message: string, ref: ClientFrame["ref"]): void {
    this.#context.options.metrics?.requestError("ws", code);
    this.#send(errorFrame(code, message, ref));
  }

  #send(frame: string): void {
    if (this.#ws.readyState === this.#ws.OPEN) this.#ws.send(frame);
  }
}
