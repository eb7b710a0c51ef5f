import { Metadata, type ServiceError, status } from "@grpc/grpc-js";
import { RoomError, ValidationError } from "../../rooms/index.js";

/** Trailing metadata key carrying the machine error code (`invalid_room_id`, `room_not_found`, ...). */
export const ERROR_CODE_METADATA_KEY = "chat-error-code";

/** The one table from error codes (rooms and this adapter) to gRPC statuses. */
const STATUS_BY_CODE: Readonly<Record<string, status>> = {
  invalid_room_id: status.INVALID_ARGUMENT,
  invalid_user_id: status.INVALID_ARGUMENT,
  invalid_text: status.INVALID_ARGUMENT,
  invalid_cursor: status.INVALID_ARGUMENT,
  invalid_limit: status.INVALID_ARGUMENT,
  message_too_long: status.INVALID_ARGUMENT,
  malformed_request: status.INVALID_ARGUMENT,
  room_not_found: status.NOT_FOUND,
  too_many_rooms: status.RESOURCE_EXHAUSTED,
  too_many_streams: status.RESOURCE_EXHAUSTED,
  slow_consumer: status.RESOURCE_EXHAUSTED,
  history_lost: status.ABORTED,
  shutting_down: status.UNAVAILABLE,
  store_unavailable: status.UNAVAILABLE,
  internal: status.INTERNAL,
};

/** A gRPC error status with its machine code, ready for a callback or `call.emit("error")`. */
export interface ChatStatus {
  readonly code: string;
  readonly status: status;
  readonly details: string;
  /** `false` for errors this adapter does not know: their stack belongs in the log. */
  readonly known: boolean;
}

/** A status this adapter raises itself (not from the rooms module). */
export function chatStatus(code: keyof typeof STATUS_BY_CODE, details: string): ChatStatus {
  return { code, status: STATUS_BY_CODE[code] ?? status.INTERNAL, details, known: true };
}

/** Maps a thrown error to a status and a message safe to show a client. */
export function describeError(error: unknown): ChatStatus {
  if (error instanceof ValidationError) {
    // Any validation failure is the caller's, whatever new code it carries.
    return { code: error.code, status: status.INVALID_ARGUMENT, details: error.message, known: true };
  }
  if (error instanceof RoomError) {
    const mapped = STATUS_BY_CODE[error.code];
    if (mapped !== undefined)
      return { code: error.code, status: mapped, details: error.message, known: true };
  }
  return { code: "internal", status: status.INTERNAL, details: "Internal server error", known: false };
}

/** The error object grpc-js sends as a status: code, details and the machine code in trailers. */
export function toServiceError(chat: ChatStatus): Partial<ServiceError> {
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_METADATA_KEY, chat.code);
  return { code: chat.status, details: chat.details, metadata };
}
