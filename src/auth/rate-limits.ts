import { positiveInteger, positiveNumber } from "../rooms/index.js";
import { AuthError } from "./errors.js";
import type { Principal } from "./principal.js";

export interface RateLimitOptions {
  /** Messages a caller may post per second, sustained (bursts of five times as many). */
  readonly submitsPerSecond: number;
  /** Streams a caller may open per second, sustained (bursts of five times as many). */
  readonly streamsPerSecond: number;
  /** Streams one caller may hold open at once, over every transport. */
  readonly maxStreamsPerCaller: number;
  /** Callers tracked at most; idle ones are forgotten first. @default 100000 */
  readonly maxCallers?: number;
  /** The clock, in ms. @default performance.now */
  readonly now?: () => number;
}

/** A bucket refilled at `rate` per second up to `burst`. */
interface Bucket {
  tokens: number;
  at: number;
}

const BURST_FACTOR = 5;

/** What `serve --rate-limits on` starts from. */
export const RATE_LIMIT_DEFAULTS = {
  submitsPerSecond: 10,
  streamsPerSecond: 2,
  maxStreamsPerCaller: 20,
} as const;

/** The key a caller's limits are kept under: the token's user, or with auth off the client's address. */
export function rateKey(principal: Principal, address: string | undefined): string {
  return principal.userId === undefined ? `address:${address ?? "unknown"}` : `user:${principal.userId}`;
}

/**
 * Per-caller token buckets for posts and new streams, and a cap on the streams
 * a caller holds. A caller is a token's user (or, with auth off, the client's
 * address); every transport of one process shares these, so a user cannot
 * get around a limit by switching from SSE to gRPC. Memory is bounded:
 * at most `maxCallers` callers per bucket kind, idle ones dropped first.
 */
export class RateLimits {
  readonly #submits: BucketSet;
  readonly #streams: BucketSet;
  readonly #maxStreams: number;
  readonly #open = new Map<string, number>();

  constructor(options: RateLimitOptions) {
    const now = options.now ?? (() => performance.now());
    const maxCallers = positiveInteger("maxCallers", options.maxCallers ?? 100_000);
    this.#submits = new BucketSet(
      positiveNumber("submitsPerSecond", options.submitsPerSecond),
      maxCallers,
      now,
    );
    this.#streams = new BucketSet(
      positiveNumber("streamsPerSecond", options.streamsPerSecond),
      maxCallers,
      now,
    );
    this.#maxStreams = positiveInteger("maxStreamsPerCaller", options.maxStreamsPerCaller);
  }

  /** @throws AuthError `rate_limited` (with the seconds to wait) when `caller` posts too fast. */
  takeSubmit(caller: string): void {
    const wait = this.#submits.take(caller);
    if (wait !== 0) throw new AuthError("rate_limited", "Too many messages: slow down and retry", wait);
  }

  /**
   * Counts a new stream of `caller`; the returned function releases it (call it once, when the stream ends).
   * @throws AuthError `rate_limited` when `caller` opens streams too fast or holds too many
   */
  openStream(caller: string): () => void {
    const open = this.#open.get(caller) ?? 0;
    if (open >= this.#maxStreams) {
      throw new AuthError(
        "rate_limited",
        `You hold ${open} open streams, the most one user may; close one and retry`,
        1,
      );
    }
    const wait = this.#streams.take(caller);
    if (wait !== 0) throw new AuthError("rate_limited", "Too many new streams: wait and retry", wait);
    this.#open.set(caller, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#open.get(caller) ?? 1) - 1;
      if (left === 0) this.#open.delete(caller);
      else this.#open.set(caller, left);
    };
  }
}

/** One token bucket per caller. */
class BucketSet {
  readonly #rate: number;
  readonly #burst: number;
  readonly #max: number;
  readonly #now: () => number;
  /** In order of last use: the first entries are the idlest. */
  readonly #buckets = new Map<string, Bucket>();

  constructor(rate: number, max: number, now: () => number) {
    this.#rate = rate;
    this.#burst = Math.max(1, rate * BURST_FACTOR);
    this.#max = max;
    this.#now = now;
  }

  /** Takes a token: 0 when there was one, else the whole seconds until there is. */
  take(caller: string): number {
    const now = this.#now();
    const bucket = this.#buckets.get(caller) ?? { tokens: this.#burst, at: now };
    this.#buckets.delete(caller);
    bucket.tokens = Math.min(this.#burst, bucket.tokens + ((now - bucket.at) / 1000) * this.#rate);
    bucket.at = now;
    this.#buckets.set(caller, bucket);
    if (this.#buckets.size > this.#max) {
      const idlest = this.#buckets.keys().next().value as string;
      this.#buckets.delete(idlest);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / this.#rate);
  }
}
