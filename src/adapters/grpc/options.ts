import { AUTH_OFF, type Authenticator, type RateLimits } from "../../auth/index.js";
import type { ChatMetrics, Logger } from "../../observability/index.js";
import { silentLogger } from "../../observability/index.js";
import { positiveInteger, type RoomManager } from "../../rooms/index.js";
import { STREAM_DEFAULTS, type TlsCertificate } from "../shared/index.js";

/** Options of the chat service itself (see `addChatService`). */
export interface ChatServiceOptions {
  /**
   * Messages a `Stream` call may hold written but not yet sent to its client.
   * Events are written in slices of at most half this many, the next one only
   * after the call drained; a client that stops reading is ended with
   * RESOURCE_EXHAUSTED (it resumes with `since`) when its listener queue
   * overflows meanwhile.
   * @default 256
   */
  readonly maxBufferedMessages?: number;
  /** `Stream` calls open at once; more get RESOURCE_EXHAUSTED. @default 20000 */
  readonly maxStreams?: number;
  readonly metrics?: ChatMetrics | undefined;
  readonly logger?: Logger | undefined;
  /** Who may do what (tokens in the `authorization` metadata). @default auth off */
  readonly auth?: Authenticator | undefined;
  /** Per-caller rates of posts and new streams, and a stream cap, shared with the other adapters. @default none */
  readonly rateLimits?: RateLimits | undefined;
}

export interface ResolvedChatServiceOptions {
  readonly maxBufferedMessages: number;
  readonly maxStreams: number;
  readonly metrics: ChatMetrics | undefined;
  readonly logger: Logger;
  readonly auth: Authenticator;
  readonly rateLimits: RateLimits | undefined;
}

export function resolveChatServiceOptions(
  options: ChatServiceOptions | undefined,
): ResolvedChatServiceOptions {
  return {
    maxBufferedMessages: positiveInteger("maxBufferedMessages", options?.maxBufferedMessages ?? 256),
    maxStreams: positiveInteger("maxStreams", options?.maxStreams ?? STREAM_DEFAULTS.maxStreams),
    metrics: options?.metrics,
    logger: options?.logger ?? silentLogger(),
    auth: options?.auth ?? AUTH_OFF,
    rateLimits: options?.rateLimits,
  };
}

/** HTTP/2 keepalive and idle limits of the server's connections. */
export interface GrpcKeepaliveOptions {
  /** Ping each connection after this long without activity, in ms. @default 60000 (1 minute) */
  readonly timeMs?: number;
  /** Drop a connection whose ping is not answered within this, in ms. @default 20000 (20 seconds) */
  readonly timeoutMs?: number;
  /** Close a connection that has had no call for this long, in ms. @default 300000 (5 minutes) */
  readonly maxConnectionIdleMs?: number;
}

/** Options of `startGrpcServer`. */
export interface GrpcServerOptions extends ChatServiceOptions {
  readonly rooms: RoomManager;
  /** Interface to listen on; IPv6 addresses may be given bare (`::1`). */
  readonly host: string;
  /** Port to listen on; `0` picks a free port (read it from the result). */
  readonly port: number;
  readonly keepalive?: GrpcKeepaliveOptions;
  /**
   * Largest request the server reads, in bytes; larger ones fail with
   * RESOURCE_EXHAUSTED before any handler runs. Raised, if needed, to hold a
   * text of the rooms' `maxMessageBytes`.
   * @default 65536 (64 KiB)
   */
  readonly maxReceiveMessageBytes?: number;
  /**
   * How long `close()` lets calls finish (a client reading the end of its
   * stream, a unary call in flight) before it cuts every connection, in ms.
   * @default DEFAULT_GRACE_MS (3 seconds, as every adapter)
   */
  readonly shutdownGraceMs?: number;
  /** Serve over TLS with this certificate. @default plaintext */
  readonly tls?: TlsCertificate | undefined;
}

/** grpc-js server options from ours: keepalive and the receive bound, applied in one place. */
export function serverChannelOptions(options: GrpcServerOptions): Record<string, number> {
  const envelope = 1024; // room for the request's other fields and framing
  return {
    "grpc.keepalive_time_ms": positiveInteger("keepalive.timeMs", options.keepalive?.timeMs ?? 60_000),
    "grpc.keepalive_timeout_ms": positiveInteger(
      "keepalive.timeoutMs",
      options.keepalive?.timeoutMs ?? 20_000,
    ),
    "grpc.max_connection_idle_ms": positiveInteger(
      "keepalive.maxConnectionIdleMs",
      options.keepalive?.maxConnectionIdleMs ?? 300_000,
    ),
    "grpc.max_receive_message_length": Math.max(
      positiveInteger("maxReceiveMessageBytes", options.maxReceiveMessageBytes ?? 64 * 1024),
      options.rooms.maxMessageBytes + envelope,
    ),
  };
}
