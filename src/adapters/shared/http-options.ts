import { AUTH_OFF, type Authenticator, type RateLimits } from "../../auth/index.js";
import type { ChatMetrics, Logger } from "../../observability/index.js";
import { silentLogger } from "../../observability/index.js";
import { positiveInteger } from "../../rooms/index.js";
import { STREAM_DEFAULTS } from "./stream-defaults.js";

export interface HttpAdapterOptions {
  /** Largest request body, in bytes. @default 65536 (64 KiB) */
  readonly bodyLimitBytes?: number;
  /** Interval of the SSE comment heartbeat that keeps idle streams alive, in ms. @default 15000 */
  readonly heartbeatMs?: number;
  /**
   * Bytes an SSE stream may hold unsent in its socket buffer. Events are
   * written in slices of at most half this size, the next one only after the
   * socket drained; a client that stops reading is ended (it can resume) when
   * its listener queue (`listenerQueueSize` events) overflows meanwhile.
   * @default 1048576 (1 MiB)
   */
  readonly maxBufferedBytes?: number;
  /** Open SSE streams this adapter accepts at once; more get `503`. @default 20000 */
  readonly maxStreams?: number;
  readonly metrics?: ChatMetrics | undefined;
  readonly logger?: Logger | undefined;
  /** Who may do what. @default auth off: anyone may do anything, as the user they name */
  readonly auth?: Authenticator | undefined;
  /** Per-caller rates of posts and new streams, and a stream cap, shared with the other adapters. @default none */
  readonly rateLimits?: RateLimits | undefined;
}

export interface ResolvedHttpOptions {
  readonly bodyLimitBytes: number;
  readonly heartbeatMs: number;
  readonly maxBufferedBytes: number;
  readonly maxStreams: number;
  readonly metrics: ChatMetrics | undefined;
  readonly logger: Logger;
  readonly auth: Authenticator;
  readonly rateLimits: RateLimits | undefined;
}

export function resolveHttpOptions(options: HttpAdapterOptions | undefined): ResolvedHttpOptions {
  return {
    bodyLimitBytes: positiveInteger("bodyLimitBytes", options?.bodyLimitBytes ?? 64 * 1024),
    heartbeatMs: positiveInteger("heartbeatMs", options?.heartbeatMs ?? STREAM_DEFAULTS.heartbeatMs),
    maxBufferedBytes: positiveInteger(
      "maxBufferedBytes",
      options?.maxBufferedBytes ?? STREAM_DEFAULTS.maxBufferedBytes,
    ),
    maxStreams: positiveInteger("maxStreams", options?.maxStreams ?? STREAM_DEFAULTS.maxStreams),
    metrics: options?.metrics,
    logger: options?.logger ?? silentLogger(),
    auth: options?.auth ?? AUTH_OFF,
    rateLimits: options?.rateLimits,
  };
}
