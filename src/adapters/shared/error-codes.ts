import type { AuthErrorCode } from "../../auth/index.js";
import type { RoomErrorCode } from "../../rooms/index.js";

/**
 * Codes every adapter may answer with: the rooms module's own, the auth
 * module's, the stream cap, and the generic failure. Each adapter's status table is a `Record` over a
 * union that contains this one, so a new code without a row fails to compile.
 */
export type AdapterErrorCode = RoomErrorCode | AuthErrorCode | "too_many_streams" | "internal";

/** Codes of the HTTP layer: the JSON API, the pages, SSE and the WebSocket upgrade. */
export type HttpErrorCode =
  | AdapterErrorCode
  | "invalid_body"
  | "invalid_query"
  | "bad_request"
  | "malformed_json"
  | "body_too_large"
  | "unsupported_media_type"
  | "range_not_satisfiable"
  | "not_found"
  | "method_not_allowed"
  | "upgrade_required"
  | "too_many_connections"
  | "room_deleted";
