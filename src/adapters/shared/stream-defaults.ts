/**
 * Defaults every streaming adapter shares, in one place: the adapters' option
 * resolvers and the CLI read them from here instead of restating them.
 */
export const STREAM_DEFAULTS = {
  /** SSE heartbeat and WebSocket ping interval, in ms. */
  heartbeatMs: 15_000,
  /** Bytes an SSE stream or a WebSocket may hold unsent (1 MiB). */
  maxBufferedBytes: 1024 * 1024,
  /** Streams (SSE, WebSocket or gRPC) one adapter holds open at once. */
  maxStreams: 20_000,
} as const;
