import { AUTH_OFF, type Authenticator, type RateLimits } from "../../auth/index.js";
import type { ChatMetrics, Logger } from "../../observability/index.js";
import { silentLogger } from "../../observability/index.js";
import { positiveInteger, positiveNumber } from "../../rooms/index.js";
import { STREAM_DEFAULTS } from "../shared/index.js";

export interface WsAdapterOptions {
  /**
   * Bytes a socket may hold unsent (its `bufferedAmount`), the same bound as
   * SSE's: events are written in slices of at most half of it, the next one
   * after the socket drained; a client that stops reading is closed with 4001
   * (it can resume) when its listener queue overflows meanwhile.
   * @default 1048576 (1 MiB)
   */
  readonly maxBufferedBytes?: number;
  /**
   * Largest frame a client may send, in bytes; larger ones close the socket
   * with 1009. @default twice the rooms' message limit plus 1 KiB (room for
   * JSON escapes and the envelope)
   */
  readonly maxPayloadBytes?: number;
  /** Frames per second a socket may send, sustained. @default 20 */
  readonly messagesPerSecond?: number;
  /** Frames a socket may send at once after being quiet. @default 100 */
  readonly messageBurst?: number;
  /** Frames refused for the rate in a row, past which the socket is closed with 1008. @default 20 */
  readonly maxRejectedInARow?: number;
  /** Interval of the server's pings; a socket that did not answer the previous one is cut. @default 15000 */
  readonly pingIntervalMs?: number;
  /**
   * After the server sent a close frame, how long the client has to answer
   * before the socket is cut (this bounds how long an evicted client that
   * stopped reading keeps its buffer), in ms. @default 10000
   */
  readonly closeTimeoutMs?: number;
  /** Open sockets this adapter accepts at once; more get HTTP `503`. @default 20000 */
  readonly maxSockets?: number;
  /**
   * Who may do what: the upgrade's token (Bearer header, `chat_token` cookie
   * or `?token=`) must allow subscribing, each submit frame publishing.
   * @default auth off
   */
  readonly auth?: Authenticator | undefined;
  /** Per-caller rates of posts and new sockets, and a stream cap, shared with the other adapters. @default none */
  readonly rateLimits?: RateLimits | undefined;
  readonly metrics?: ChatMetrics | undefined;
  readonly logger?: Logger | undefined;
}

export interface ResolvedWsOptions {
  readonly maxBufferedBytes: number;
  readonly maxPayloadBytes: number;
  readonly messagesPerSecond: number;
  readonly messageBurst: number;
  readonly maxRejectedInARow: number;
  readonly pingIntervalMs: number;
  readonly closeTimeoutMs: number;
  readonly maxSockets: number;
  readonly auth: Authenticator;
  readonly rateLimits: RateLimits | undefined;
  readonly metrics: ChatMetrics | undefined;
  readonly logger: Logger;
}

export function resolveWsOptions(
  options: WsAdapterOptions | undefined,
  maxMessageBytes: number,
): ResolvedWsOptions {
  return {
    maxBufferedBytes: positiveInteger(
      "maxBufferedBytes",
      options?.maxBufferedBytes ?? STREAM_DEFAULTS.maxBufferedBytes,
    ),
    maxPayloadBytes: positiveInteger(
      "maxPayloadBytes",
      options?.maxPayloadBytes ?? 2 * maxMessageBytes + 1024,
    ),
    messagesPerSecond: positiveNumber("messagesPerSecond", options?.messagesPerSecond ?? 20),
    messageBurst: positiveInteger("messageBurst", options?.messageBurst ?? 100),
    maxRejectedInARow: positiveInteger("maxRejectedInARow", options?.maxRejectedInARow ?? 20),
    pingIntervalMs: positiveInteger("pingIntervalMs", options?.pingIntervalMs ?? STREAM_DEFAULTS.heartbeatMs),
    closeTimeoutMs: positiveInteger("closeTimeoutMs", options?.closeTimeoutMs ?? 10_000),
    maxSockets: positiveInteger("maxSockets", options?.maxSockets ?? STREAM_DEFAULTS.maxStreams),
    auth: options?.auth ?? AUTH_OFF,
    rateLimits: options?.rateLimits,
    metrics: options?.metrics,
    logger: options?.logger ?? silentLogger(),
  };
}
