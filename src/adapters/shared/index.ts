// What the adapters share, and nothing of any one adapter: this folder imports
// no adapter, and the adapters reach it only through this list.

export { access, type CallerChecks, poster, principalOf, streamer, visibleRooms } from "./access.js";
export { apiCors, CORS_PATHS, corsHeaders, validateCorsOrigins } from "./api-cors.js";
export { bodyKind, bodyParsers, queryString } from "./body.js";
export { deliveryReport } from "./delivery-report.js";
export type { AdapterErrorCode, HttpErrorCode } from "./error-codes.js";
export {
  answerError,
  describeError,
  errorHandler,
  HttpError,
  sendError,
  statusOf,
} from "./error-response.js";
export { eventData } from "./event-data.js";
export { type CachedFrame, createFrameCache } from "./frame-cache.js";
export {
  afterFormPostPath,
  createRoomHandler,
  historyHandler,
  roomPagePath,
  submitForm,
  submitHandler,
} from "./handlers.js";
export { type HttpAdapterOptions, type ResolvedHttpOptions, resolveHttpOptions } from "./http-options.js";
export { type HttpServerLimits, type RunningHttpServer, startHttpServer } from "./http-server.js";
export { endSocketWithError } from "./raw-error.js";
export { notesOf, observeRequests, routeOf } from "./request-notes.js";
export { queryToken, requestToken, TOKEN_COOKIE } from "./request-token.js";
export { DEFAULT_GRACE_MS } from "./shutdown.js";
export { type SseStreams, sseStreamHandler, sseStreams } from "./sse-stream.js";
export { STREAM_DEFAULTS } from "./stream-defaults.js";
export { type PumpOutcome, pumpListener } from "./stream-pump.js";
export { tickCorker } from "./tick-batching.js";
export type { TlsCertificate } from "./tls.js";
export { whenTokenExpires } from "./token-expiry.js";
