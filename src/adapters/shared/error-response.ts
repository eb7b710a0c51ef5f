import type { IncomingMessage, ServerResponse } from "node:http";
import type { ErrorRequestHandler } from "express";
import { AuthError } from "../../auth/index.js";
import type { Logger } from "../../observability/index.js";
import { RoomError } from "../../rooms/index.js";
import type { HttpErrorCode } from "./error-codes.js";
import type { ResolvedHttpOptions } from "./http-options.js";
import { notesOf, routeOf } from "./request-notes.js";

/** The one table from error codes to HTTP statuses: a row for every code, or it does not compile. */
const STATUS_BY_CODE: Readonly<Record<HttpErrorCode, number>> = {
  invalid_room_id: 400,
  invalid_user_id: 400,
  invalid_text: 400,
  invalid_cursor: 400,
  invalid_limit: 400,
  invalid_body: 400,
  invalid_query: 400,
  bad_request: 400,
  malformed_json: 400,
  message_too_long: 413,
  body_too_large: 413,
  unsupported_media_type: 415,
  range_not_satisfiable: 416,
  unauthenticated: 401,
  forbidden: 403,
  room_not_found: 404,
  not_found: 404,
  method_not_allowed: 405,
  room_deleted: 409,
  upgrade_required: 426,
  too_many_rooms: 429,
  rate_limited: 429,
  too_many_streams: 503,
  too_many_connections: 503,
  shutting_down: 503,
  store_unavailable: 503,
  // Streams end with these in-band (an SSE `error` event); a status only if one is ever answered.
  slow_consumer: 503,
  history_lost: 410,
  internal: 500,
};

/** An error raised by the HTTP layer itself (not by the rooms module). */
export class HttpError extends Error {
  readonly code: HttpErrorCode;

  constructor(code: HttpErrorCode, message: string) {
    super(message);
    this.name = "HttpError";
    this.code = code;
  }
}

export function statusOf(code: HttpErrorCode): number {
  return STATUS_BY_CODE[code];
}

/**
 * Writes `{"error":{"code","message"}}` with the status of `code`, always as
 * JSON (replacing a Content-Type a failed handler had set). Plain node, so a
 * stream served outside express answers errors in the same shape.
 */
export function sendError(res: ServerResponse, code: HttpErrorCode, message: string): void {
  notesOf(res).errorCode = code;
  if (code === "unauthenticated") res.setHeader("www-authenticate", 'Bearer realm="chat-server"');
  const body = JSON.stringify({ error: { code, message } });
  res.statusCode = statusOf(code);
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.setHeader("content-length", Buffer.byteLength(body));
  res.end(body);
}

/**
 * Headers that described the response a handler had begun (a static file:
 * its type, length, validators, caching) and would mislabel the error sent
 * instead. `Content-Range` stays only on a 416, where it says the file's size.
 */
function dropStaleHeaders(res: ServerResponse, code: HttpErrorCode): void {
  for (const name of ["content-length", "content-encoding", "etag", "last-modified", "cache-control"]) {
    res.removeHeader(name);
  }
  if (code !== "range_not_satisfiable") res.removeHeader("content-range");
}

/** Maps a thrown error to its code and a message safe to show a client. */
export function describeError(error: unknown): { code: HttpErrorCode; message: string; known: boolean } {
  if (error instanceof RoomError || error instanceof HttpError || error instanceof AuthError) {
    return { code: error.code, message: error.message, known: true };
  }
  const bodyParserType = (error as { type?: unknown } | null)?.type;
  if (bodyParserType === "entity.too.large") {
    return { code: "body_too_large", message: "The request body is over the size limit", known: true };
  }
  if (bodyParserType === "entity.parse.failed") {
    return { code: "malformed_json", message: "The request body is not valid JSON", known: true };
  }
  // Client errors raised by express itself (http-errors with a 4xx `status`): a body in a
  // charset or encoding it cannot read (415), a missing asset (404), an undecodable URL (400).
  const status = (error as { status?: unknown } | null)?.status;
  if (status === 415) {
    return {
      code: "unsupported_media_type",
      message: "The request body's charset or encoding is not supported",
      known: true,
    };
  }
  if (typeof bodyParserType === "string") {
    return { code: "invalid_body", message: "The request body could not be read", known: true };
  }
  if (status === 404) return { code: "not_found", message: "Not found", known: true };
  if (status === 416) {
    return { code: "range_not_satisfiable", message: "The requested range is outside the file", known: true };
  }
  if (typeof status === "number" && status >= 400 && status < 500) {
    return { code: "bad_request", message: "The request URL could not be read", known: true };
  }
  return { code: "internal", message: "Internal server error", known: false };
}

/** Express error middleware: JSON error bodies, stacks only in the log. */
export function errorHandler(options: ResolvedHttpOptions): ErrorRequestHandler {
  return (error, req, res, _next) => answerError(req, res, error, options.logger);
}

/**
 * Answers `error` as the JSON error shape (an unknown one logged with its
 * stack); a response already under way is cut instead.
 */
export function answerError(req: IncomingMessage, res: ServerResponse, error: unknown, logger: Logger): void {
  const { code, message, known } = describeError(error);
  if (!known) logger.error({ err: error, method: req.method, route: routeOf(req, res) }, "request failed");
  if (res.headersSent) {
    notesOf(res).errorCode = code;
    res.destroy();
    return;
  }
  dropStaleHeaders(res, code);
  if (error instanceof AuthError && error.retryAfterSeconds !== undefined) {
    res.setHeader("retry-after", String(error.retryAfterSeconds));
  }
  sendError(res, code, message);
}
