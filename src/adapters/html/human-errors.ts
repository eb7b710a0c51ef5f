/**
 * What a person reads on the pages for an error code: short, and saying what
 * to do. The API's messages are for developers ("Expected `text` to be…");
 * these replace them on the pages, server-rendered and in the page script
 * (which gets this table from the page, so there is one copy).
 */
export function humanErrors(maxMessageBytes: number): Readonly<Record<string, string>> {
  return {
    invalid_room_id: "A room name is 1 to 64 letters, digits, dots, dashes or underscores.",
    room_not_found: "There is no such room.",
    not_found: "There is no such page.",
    invalid_user_id: "Your name must be 1 to 64 characters.",
    invalid_text: "Write a message first: some text, not only spaces or control characters.",
    message_too_long: `That message is too long: at most ${maxMessageBytes} bytes (about ${maxMessageBytes} letters, fewer with emoji).`,
    body_too_large: "That message is too long.",
    unauthenticated: "You need to sign in: open the link with your token again.",
    forbidden: "Your token does not allow that in this room: ask for a link that does.",
    rate_limited: "You are sending too fast. Wait a moment, then send again.",
    too_many_rooms: "The server holds as many rooms as it can. Try again later.",
    store_unavailable: "The server cannot store messages right now. Try again in a moment.",
    shutting_down: "The server is restarting. Try again in a moment.",
    unreachable: "Not sent: the server cannot be reached. Check your connection and try again.",
    internal: "Something went wrong on the server. Try again.",
  };
}

/** The person's text for `code`, or the generic one. */
export function humanError(texts: Readonly<Record<string, string>>, code: string): string {
  return texts[code] ?? (texts.internal as string);
}
