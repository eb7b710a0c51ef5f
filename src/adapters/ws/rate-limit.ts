/** What the rate limiter says about one incoming frame. */
export type RateVerdict = "accept" | "reject" | "close";

export interface RateLimitOptions {
  /** Frames per second a connection may send, sustained. */
  readonly perSecond: number;
  /** Frames it may send at once after being quiet. */
  readonly burst: number;
  /** Frames refused in a row, past which the connection is closed. */
  readonly maxRejectedInARow: number;
  /** The clock, in ms. @default performance.now */
  readonly now?: () => number;
}

/**
 * A token bucket for one connection's frames: `burst` tokens, refilled at
 * `perSecond`. A frame without a token is refused (the client is told);
 * a client that keeps sending while refused is to be closed.
 */
export class FrameRateLimiter {
  readonly #options: RateLimitOptions;
  readonly #now: () => number;
  #tokens: number;
  #at: number;
  #rejectedInARow = 0;

  constructor(options: RateLimitOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#tokens = options.burst;
    this.#at = this.#now();
  }

  take(): RateVerdict {
    const now = this.#now();
    const refill = ((now - this.#at) / 1000) * this.#options.perSecond;
    this.#tokens = Math.min(this.#options.burst, this.#tokens + refill);
    this.#at = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      this.#rejectedInARow = 0;
      return "accept";
    }
    this.#rejectedInARow++;
    return this.#rejectedInARow > this.#options.maxRejectedInARow ? "close" : "reject";
  }
}
