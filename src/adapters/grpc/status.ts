import { Metadata, type ServiceError, status } from "@grpc/grpc-js";
import { AuthError } from "../../auth/index.js";
import { RoomError } from "../../rooms/index.js";
import type { AdapterErrorCode } from "../shared/index.js";

/** What this adapter answers with: every adapter's codes, and a request it could not decode. */
export type GrpcErrorCode = AdapterErrorCode | "malformed_request";

/** Trailing metadata key carrying the machine error code (`invalid_room_id`, `room_not_found`, ...). */
export const ERROR_CODE_METADATA_KEY = "chat-error-code";

/** The one table from error codes (rooms and this adapter) to gRPC statuses: a row for every code. */
const STATUS_BY_CODE: Readonly<Record<GrpcErrorCode, status>> = {
  invalid_room_id: status.INVALID_ARGUMENT,
  invalid_user_id: status.INVALID_ARGUMENT,
  invalid_text: status.INVALID_ARGUMENT,
  invalid_cursor: status.INVALID_ARGUMENT,
  invalid_limit: status.INVALID_ARGUMENT,
  message_too_long: status.INVALID_ARGUMENT,
  malformed_request: status.INVALID_ARGUMENT,
  unauthenticated: status.UNAUTHENTICATED,
  forbidden: status.PERMISSION_DENIED,
  room_not_found: status.NOT_FOUND,
  too_many_rooms: status.RESOURCE_EXHAUSTED,
  rate_limited: status.RESOURCE_EXHAUSTED,
  too_many_streams: status.RESOURCE_EXHAUSTED,
  slow_consumer: status.RESOURCE_EXHAUSTED,
  history_lost: status.ABORTED,
  shutting_down: status.UNAVAILABLE,
  store_unavailable: status.UNAVAILABLE,
  internal: status.INTERNAL,
};

/** A gRPC error status with its machine code, ready for a callback or `call.emit("error")`. */
export interface ChatStatus {
  readonly code: GrpcErrorCode;
  readonly status: status;
  readonly details: string;
  /** `false` for errors this adapter does not know: their stack belongs in the log. */
  readonly known: boolean;
}

/** A status this adapter raises itself (not from the rooms module). */
export function chatStatus(code: GrpcErrorCode, details: string): ChatStatus {
  return { code, status: STATUS_BY_CODE[code], details, known: true };
}

/** Maps a thrown error to a status and a message safe to show a client. */
export function describeError(error: unknown): ChatStatus {
  if (error instanceof RoomError || error instanceof AuthError) {
    return { code: error.code, status: STATUS_BY_CODE[error.code], details: error.message, known: true };
  }
  return { code: "internal", status: status.INTERNAL, details: "Internal server error", known: false };
}

/** The error object grpc-js sends as a status: code, details and the machine code in trailers. */
export function toServiceError(chat: ChatStatus): Partial<ServiceError> {
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_METADATA_KEY, chat.code);
  return { code: chat.status, details: chat.details, metadata };
}
