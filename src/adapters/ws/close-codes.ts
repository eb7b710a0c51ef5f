/**
 * The close codes the WebSocket adapter sends, in one table. Codes marked
 * resumable mean: reconnect with `?since=<last message id you saw>` and
 * nothing is lost (the reason repeats the id when the server knows it).
 */
export const WS_CLOSE = {
  /** The room was deleted (after its `deleted` frame), or the client closed. */
  normal: 1000,
  /** A binary frame: this protocol is JSON or plain text only. */
  unsupportedData: 1003,
  /** The client kept sending past its message rate after `rate_limited` error frames. */
  policyViolation: 1008,
  /** A frame over the size limit (sent by the `ws` library itself). */
  messageTooBig: 1009,
  /** An unexpected server error (logged). Resumable. */
  internalError: 1011,
  /** The server is shutting down or restarting. Resumable. */
  serviceRestart: 1012,
  /** The client stopped reading and fell behind by more than the byte bound. Resumable. */
  slowConsumer: 4001,
  /** The room lost messages this socket had not yet seen (a store restart). Resumable: `ready` says `recovered: false`. */
  historyLost: 4002,
  /** No valid token (missing, bad signature, expired; also when an open socket's token expires). Resumable with a fresh token. */
  unauthenticated: 4401,
  /** The token does not allow subscribing to this room. */
  forbidden: 4403,
  /** The caller opens streams too fast or holds too many (the reason says which). Retry later. */
  rateLimited: 4429,
} as const;

export type WsCloseCode = (typeof WS_CLOSE)[keyof typeof WS_CLOSE];

/** The reason of a resumable close: what happened, and the cursor to reconnect with. */
export function resumeReason(what: string, lastId: string | undefined): string {
  const hint = lastId === undefined ? "reconnect" : `reconnect with since=${lastId}`;
  // A close reason is at most 123 bytes; ids are short, but never let one break the frame.
  return `${what}: ${hint}`.slice(0, 123);
}
