/**
 * The load the slow-client tests of every transport post: 20,000 messages of
 * 200 bytes in chunks the reading client takes one at a time, against a
 * 64 KiB byte bound.
 */
export const SLOW_CLIENT_LOAD = {
  messages: 20_000,
  /** ~33 KB of frames: under the bound, so the reading client is never evicted. */
  chunk: 100,
  maxBufferedBytes: 64 * 1024,
  /** Message `i`, 200 bytes. */
  padded: (i: number) => `${String(i).padStart(5, "0")} ${"x".repeat(194)}`,
} as const;
