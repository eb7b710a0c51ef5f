/**
 * How long a graceful stop lets open connections finish (a client reading
 * the end of its stream, a call in flight) before it cuts them, in ms: the
 * one default every adapter's `close()` and `serve --grace-ms` use.
 */
export const DEFAULT_GRACE_MS = 3_000;
