import type { HttpErrorCode } from "../shared/index.js";

/** Every code the server can answer, and the page script's own: the server could not be reached. */
export type PageErrorCode = HttpErrorCode | "unreachable";

/**
 * What a person reads on the pages for an error code: short, and saying what
 * to do. The API's messages are for developers ("Expected `text` to be…");
 * these replace them on the pages, server-rendered and in the page script
 * (which gets this table from the page, so there is one copy). A `Record`
 * over every code: a new code without a text fails to compile.
 */
export function humanErrors(maxMessageBytes: number): Readonly<Record<PageErrorCode, string>> {
  const tryAgain = "Try again in a moment.";
  return {
    invalid_room_id: "A room name is 1 to 64 letters, digits, dots, dashes or underscores.",
    room_not_found: "There is no such room.",
    room_deleted:
      "This room was deleted while you were here, so your message was not sent. Send it again to start the room anew.",
    not_found: "There is no such page.",
    invalid_user_id: "Your name must be 1 to 64 characters.",
    invalid_text: "Write a message first.",
    invalid_cursor: "The page's place in the room is not valid. Reload the page.",
    invalid_limit: "The page asked for too many messages at once. Reload the page.",
    message_too_long: `That message is too long: at most ${maxMessageBytes} bytes (accented letters take two, emoji four).`,
    body_too_large: "That message is too long.",
    invalid_body: "The message could not be read. Reload the page and try again.",
    invalid_query: "The address is not valid. Check it, or start from the list of rooms.",
    bad_request: "The address is not valid. Check it, or start from the list of rooms.",
    malformed_json: "The message could not be read. Reload the page and try again.",
    unsupported_media_type: "The message could not be read. Reload the page and try again.",
    range_not_satisfiable: "Part of the page could not be loaded. Reload the page.",
    method_not_allowed: "That cannot be done here.",
    upgrade_required: "This address is for chat programs, not for browsers.",
    unauthenticated: "You need to sign in: open the link with your token again.",
    forbidden: "Your token does not allow that in this room: ask for a link that does.",
    rate_limited: "Too many requests from you. Wait a moment, then try again.",
    too_many_streams: "You have this room open in too many places. Close one, then try again.",
    too_many_connections: `The server has as many visitors as it can take. ${tryAgain}`,
    too_many_rooms: "The server holds as many rooms as it can. Try again later.",
    history_lost: "Some messages are no longer kept. Reload the page.",
    slow_consumer: "Your connection fell behind the room. Reload the page.",
    store_unavailable: `The server cannot store messages right now. ${tryAgain}`,
    shutting_down: `The server is restarting. ${tryAgain}`,
    unreachable: "Not sent: the server cannot be reached. Check your connection and try again.",
    internal: "Something went wrong on the server. Try again.",
  };
}

/** The person's text for `code`, or the generic one. */
export function humanError(texts: Readonly<Record<PageErrorCode, string>>, code: string): string {
  return texts[code as PageErrorCode] ?? texts.internal;
}
