import type { ServerWritableStream } from "@grpc/grpc-js";
import { authorize, rateKey } from "../../auth/index.js";
import { logStreamOpened } from "../../observability/index.js";
import type { RoomEvent, RoomListener, RoomManager } from "../../rooms/index.js";
import { createFrameCache, deliveryReport, pumpListener, whenTokenExpires } from "../shared/index.js";
import { callPrincipal, peerAddress } from "./call-principal.js";
import { malformedStatus } from "./malformed.js";
import type { ResolvedChatServiceOptions } from "./options.js";
import { recordRpc } from "./record-rpc.js";
import { type ChatStatus, chatStatus, describeError, toServiceError } from "./status.js";
import { optionalString, type StreamRequest, toWireEvent, type WireEvent } from "./wire.js";

/** A `Stream` call: events go out already serialised (see `withMalformedRequests`). */
type StreamCall = ServerWritableStream<StreamRequest, Buffer>;

const SHUTTING_DOWN =
  "server shutting down; open a new Stream with `since` set to the last message id received";
const TOKEN_EXPIRED =
  "stream ended: its token expired; open a new Stream with a fresh token and `since` set to the last message id received";
const EVICTED =
  "stream ended: the client read too slowly and fell too far behind; " +
  "open a new Stream with `since` set to the last message id received";
const HISTORY_LOST =
  "stream ended: the room lost messages this stream had not received; " +
  "open a new Stream with `since` set to the last message id received (its ready event says what is missing)";

/**
 * The `Stream` rpc and the set of its open calls. Each call is one room
 * listener pumped into the call with backpressure; `shutdown()` ends them all
 * with UNAVAILABLE and refuses new ones.
 */
export class StreamHandler {
  readonly #rooms: RoomManager;
  readonly #options: ResolvedChatServiceOptions;
  /** Each event's protobuf bytes, serialised once for every stream it goes to. */
  readonly #encode: (event: RoomEvent) => Buffer;
  /** Open calls, each with the controller that closes its listener. */
  readonly #open = new Map<StreamCall, AbortController>();
  #shuttingDown = false;
  readonly #onDelivered: ReturnType<typeof deliveryReport>;

  constructor(
    rooms: RoomManager,
    options: ResolvedChatServiceOptions,
    serialize: (event: WireEvent) => Buffer,
  ) {
    this.#rooms = rooms;
    this.#options = options;
    const frameOf = createFrameCache((event) => serialize(toWireEvent(event)));
    this.#encode = (event) => frameOf(event).frame;
    this.#onDelivered = deliveryReport(options.metrics, "grpc");
  }

  get openStreams(): number {
    return this.#open.size;
  }

  /** Ends every open stream with UNAVAILABLE (after what it has buffered) and refuses new ones. */
  shutdown(): void {
    this.#shuttingDown = true;
    // Closing a listener ends its pump with "ended", which the call turns into UNAVAILABLE.
    for (const abort of this.#open.values()) abort.abort();
  }

  /** The grpc-js handler of `ChatService.Stream`. */
  readonly handle = (call: StreamCall): void => {
    const started = performance.now();
    // Only a refusal gets here: a stream that opened reports its own failure (#pump).
    this.#serve(call, started).catch((error: unknown) =>
      this.#refuse(call, started, describeError(error), error),
    );
  };

  async #serve(call: StreamCall, started: number): Promise<void> {
    const malformed = malformedStatus(call.request);
    if (malformed !== undefined) return this.#refuse(call, started, malformed);
    if (this.#shuttingDown) return this.#refuse(call, started, chatStatus("shutting_down", SHUTTING_DOWN));
    if (this.#open.size >= this.#options.maxStreams) {
      const details = `This server holds its maximum of ${this.#options.maxStreams} streams; try again later`;
      return this.#refuse(call, started, chatStatus("too_many_streams", details));
    }
    const abort = new AbortController();
    this.#open.set(call, abort);
    // A client that cancels (or whose connection drops) frees its listener at once.
    call.once("cancelled", () => abort.abort());
    // The call's place in its caller's stream cap, freed when the call is over.
    let release: (() => void) | undefined;
    try {
      const { roomId, userId, since } = call.request;
      const caller = authorize(await callPrincipal(call.metadata, this.#options.auth), "subscribe", roomId);
      release = await this.#options.rateLimits?.openStream(rateKey(caller, peerAddress(call)));
      const listener = await this.#rooms.openListener(roomId, {
        userId: caller.userId ?? optionalString(userId),
        since: optionalString(since),
        signal: abort.signal,
      });
      // A stream must not outlive its token: UNAUTHENTICATED, and the client resumes with a fresh one.
      let expired = false;
      const stopExpiry = whenTokenExpires(this.#options.auth, caller, () => {
        expired = true;
        listener.close();
      });
      call.once("close", stopExpiry);
      await this.#pump(call, listener, () => expired);
    } finally {
      this.#open.delete(call);
      release?.();
    }
  }

  async #pump(call: StreamCall, listener: RoomListener, tokenExpired: () => boolean): Promise<void> {
    const { metrics, logger } = this.#options;
    metrics?.streamOpened("grpc");
    const { roomId, userId } = listener;
    const logClosed = logStreamOpened(logger, { adapter: "grpc", roomId, userId });
    let outcome: Awaited<ReturnType<typeof pumpListener>>;
    try {
      outcome = await pumpListener(listener, call, {
        write: (events) => {
          let ok = true;
          for (const event of events) ok = call.write(this.#encode(event));
          return ok;
        },
        maxBuffered: this.#options.maxBufferedMessages,
        onDelivered: this.#onDelivered,
      });
    } catch (error) {
      logClosed("failed");
      return this.#fail(call, describeError(error), error);
    } finally {
      metrics?.streamClosed("grpc");
    }
    switch (outcome) {
      case "deleted":
        logClosed(outcome);
        call.end(); // OK, after the `deleted` event
        return;
      case "slow_consumer":
        metrics?.evicted("grpc", outcome);
        logClosed(outcome);
        return endWithStatus(call, chatStatus("slow_consumer", EVICTED));
      case "history_lost":
        logClosed(outcome);
        return endWithStatus(call, chatStatus("history_lost", HISTORY_LOST));
      case "ended":
        if (tokenExpired()) {
          logClosed("token_expired");
          return endWithStatus(call, chatStatus("unauthenticated", TOKEN_EXPIRED));
        }
        // Ended without a deletion: the client left, or the server (or its rooms) is closing.
        logClosed(call.cancelled || call.destroyed ? "client_left" : "shutting_down");
        return endWithStatus(call, chatStatus("shutting_down", SHUTTING_DOWN));
    }
  }

  /** A stream that never opened: its access line, as a refused unary call has. */
  #refuse(call: StreamCall, started: number, chat: ChatStatus, cause?: unknown): void {
    this.#fail(call, chat, cause);
    recordRpc(this.#options, "Stream", chat.status, started);
  }

  /** Refuses or fails the request: counted as a request error; an unknown failure's stack is logged. */
  #fail(call: StreamCall, chat: ChatStatus, cause?: unknown): void {
    if (!chat.known) this.#options.logger.error({ err: cause, rpc: "Stream" }, "gRPC call failed");
    this.#options.metrics?.requestError("grpc", chat.code);
    endWithStatus(call, chat);
  }
}

/** Ends the call with an error status, after the events it has buffered; a no-op on a gone call. */
function endWithStatus(call: StreamCall, chat: ChatStatus): void {
  if (call.cancelled || call.destroyed || call.writableEnded) return;
  // grpc-js turns an 'error' event on a server stream into the call's status.
  call.emit("error", toServiceError(chat));
}
