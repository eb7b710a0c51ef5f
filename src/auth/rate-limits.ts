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
  /** Callers tracked at most; idle ones are forgotten first (in-memory buckets). @default 100000 */
  readonly maxCallers?: number;
  /**
   * Where the buckets live: in this process by default; a shared store (the
   * Redis one) makes several processes count together.
   */
  readonly buckets?: RateBuckets;
  /** The clock, in ms. @default performance.now */
  readonly now?: () => number;
}

/**
 * Token buckets by key: `take` takes one token of the bucket `key` (refilled
 * at `perSecond` up to `burst`) and answers 0, or the whole seconds until it
 * could.
 */
export interface RateBuckets {
  take(key: string, perSecond: number, burst: number): number | Promise<number>;
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
 * address); every transport of a process shares these, so a user cannot get
 * around a limit by switching from SSE to gRPC, and with shared `buckets`
 * (Redis) several processes count the rates together. The stream cap counts
 * this process's streams.
 */
export class RateLimits {
  readonly #buckets: RateBuckets;
  readonly #submitRate: number;
  readonly #streamRate: number;
  readonly #maxStreams: number;
  readonly #open = new Map<string, number>();

  constructor(options: RateLimitOptions) {
    this.#submitRate = positiveNumber("submitsPerSecond", options.submitsPerSecond);
    this.#streamRate = positiveNumber("streamsPerSecond", options.streamsPerSecond);
    this.#maxStreams = positiveInteger("maxStreamsPerCaller", options.maxStreamsPerCaller);
    this.#buckets =
      options.buckets ??
      new MemoryRateBuckets(
        positiveInteger("maxCallers", options.maxCallers ?? 100_000),
        options.now ?? (() => performance.now()),
      );
  }

  /** @throws AuthError `rate_limited` (with the seconds to wait) when `caller` posts too fast. */
  async takeSubmit(caller: string): Promise<void> {
    const wait = await this.#take("submit", caller, this.#submitRate);
    if (wait !== 0) throw new AuthError("rate_limited", "Too many messages: slow down and retry", wait);
  }

  /**
   * Counts a new stream of `caller`; the returned function releases it (call it once, when the stream ends).
   * @throws AuthError `rate_limited` when `caller` opens streams too fast or holds too many
   */
  async openStream(caller: string): Promise<() => void> {
    this.#checkCap(caller);
    const wait = await this.#take("stream", caller, this.#streamRate);
    if (wait !== 0) throw new AuthError("rate_limited", "Too many new streams: wait and retry", wait);
    // Again after the await: another stream of this caller may have opened meanwhile.
    this.#checkCap(caller);
    this.#open.set(caller, (this.#open.get(caller) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#open.get(caller) ?? 1) - 1;
      if (left === 0) this.#open.delete(caller);
      else this.#open.set(caller, left);
    };
  }

  #checkCap(caller: string): void {
    const open = this.#open.get(caller) ?? 0;
    if (open >= this.#maxStreams) {
      const message = `You hold ${open} open streams, the most one user may; close one and retry`;
      throw new AuthError("rate_limited", message, 1);
    }
  }

  #take(kind: "submit" | "stream", caller: string, perSecond: number): number | Promise<number> {
    return this.#buckets.take(`${kind}:${caller}`, perSecond, Math.max(1, perSecond * BURST_FACTOR));
  }
}

/** The buckets of one process, at most `max` of them: the idlest are forgotten first. */
class MemoryRateBuckets implements RateBuckets {
  readonly #max: number;
  readonly #now: () => number;
  /** In order of last use: the first entries are the idlest. */
  readonly #buckets = new Map<string, Bucket>();

  constructor(max: number, now: () => number) {
    this.#max = max;
    this.#now = now;
  }

  take(key: string, perSecond: number, burst: number): number {
    const now = this.#now();
    const bucket = this.#buckets.get(key) ?? { tokens: burst, at: now };
    this.#buckets.delete(key);
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > this.#max) {
      const idlest = this.#buckets.keys().next().value as string;
      this.#buckets.delete(idlest);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / perSecond);
  }
}
