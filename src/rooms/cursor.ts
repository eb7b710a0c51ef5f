import { ValidationError } from "./errors.js";
import { quote } from "./quote.js";

/**
 * A message id is `<epoch>-<offset>`: the room's epoch (changes whenever its
 * history is lost) and the message's offset in the room (1, 2, 3, ...).
 * Callers treat it as opaque; only this file knows the format.
 */
export interface Cursor {
  readonly epoch: string;
  readonly offset: number;
}

const CURSOR = /^([0-9a-z]{1,32})-([1-9][0-9]{0,14})$/;

export function formatMessageId(epoch: string, offset: number): string {
  return `${epoch}-${offset}`;
}

/** @throws ValidationError `invalid_cursor` when `id` cannot be a message id at all. */
export function parseCursor(id: unknown, field = "since"): Cursor {
  const match = typeof id === "string" ? CURSOR.exec(id) : null;
  if (match === null) {
    throw new ValidationError(
      "invalid_cursor",
      field,
      `Expected \`${field}\` to be a message id such as "3f9a01bc7e-42", got ${quote(id)}`,
    );
  }
  return { epoch: match[1] as string, offset: Number(match[2]) };
}
