import { MessageTooLongError, ValidationError } from "./errors.js";
import { quote } from "./quote.js";

const ROOM_ID = /^[A-Za-z0-9._-]{1,64}$/;
const CONTROL = /\p{Cc}/u;
/** Controls other than tab, line feed and carriage return (those are fine in a message). */
const TEXT_CONTROL = /(?![\t\n\r])\p{Cc}/u;
export const MAX_USER_ID_LENGTH = 64;

export function validateRoomId(roomId: unknown, field = "roomId"): string {
  // "." and ".." match the pattern but are path segments browsers rewrite away.
  if (typeof roomId !== "string" || !ROOM_ID.test(roomId) || roomId === "." || roomId === "..") {
    throw new ValidationError(
      "invalid_room_id",
      field,
      `Expected \`${field}\` to match [A-Za-z0-9._-]{1,64} (not "." or ".."), got ${quote(roomId)}`,
    );
  }
  return roomId;
}

export function validateUserId(userId: unknown, field = "userId"): string {
  if (typeof userId !== "string" || userId.length === 0 || [...userId].length > MAX_USER_ID_LENGTH) {
    throw new ValidationError(
      "invalid_user_id",
      field,
      `Expected \`${field}\` to be 1 to ${MAX_USER_ID_LENGTH} characters, got ${quote(userId)}`,
    );
  }
  if (!userId.isWellFormed()) {
    throw new ValidationError(
      "invalid_user_id",
      field,
      `Expected \`${field}\` to be valid Unicode, got a lone surrogate in ${quote(userId)}`,
    );
  }
  if (CONTROL.test(userId)) {
    throw new ValidationError(
      "invalid_user_id",
      field,
      `Expected \`${field}\` without control characters, got ${quote(userId)}`,
    );
  }
  return userId;
}

export function validateText(text: unknown, maxBytes: number, field = "text"): string {
  if (typeof text !== "string" || text.trim().length === 0) {
    throw new ValidationError(
      "invalid_text",
      field,
      `Expected \`${field}\` to be a non-empty string, got ${quote(text)}`,
    );
  }
  if (!text.isWellFormed()) {
    throw new ValidationError(
      "invalid_text",
      field,
      `Expected \`${field}\` to be valid Unicode, got a lone surrogate (such as a "\\ud800" escape)`,
    );
  }
  if (TEXT_CONTROL.test(text)) {
    throw new ValidationError(
      "invalid_text",
      field,
      `Expected \`${field}\` without control characters other than tab and newline`,
    );
  }
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > maxBytes) throw new MessageTooLongError(maxBytes, bytes);
  return text;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * UTF-8 bytes of a text as a string, strictly: invalid bytes (`ff fe`),
 * overlong forms (`c0 af`), encoded surrogates (`ed a0 80`) and cut-off
 * sequences are `invalid_text`, never replaced with U+FFFD. Every transport
 * that receives text as bytes runs them through this before `validateText`.
 */
export function decodeUtf8Text(bytes: Uint8Array, field = "text"): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new ValidationError(
      "invalid_text",
      field,
      `Expected \`${field}\` to be valid UTF-8 (no invalid, overlong or surrogate byte sequences)`,
    );
  }
}

export function validateLimit(limit: unknown, max: number, field = "limit"): number {
  if (typeof limit !== "number" || !Number.isSafeInteger(limit) || limit < 1 || limit > max) {
    throw new ValidationError(
      "invalid_limit",
      field,
      `Expected \`${field}\` to be an integer from 1 to ${max}, got ${quote(limit)}`,
    );
  }
  return limit;
}
