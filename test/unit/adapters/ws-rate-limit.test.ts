import { describe, expect, it } from "vitest";
import { FrameRateLimiter } from "../../../src/adapters/ws/rate-limit.js";

describe("a connection's frame rate limiter", () => {
  it("accepts a burst, refuses past it, and says close once refusals go on", () => {
    const now = 0;
    const limiter = new FrameRateLimiter({ perSecond: 10, burst: 3, maxRejectedInARow: 2, now: () => now });
    expect([limiter.take(), limiter.take(), limiter.take()]).toEqual(["accept", "accept", "accept"]);
    expect([limiter.take(), limiter.take(), limiter.take()]).toEqual(["reject", "reject", "close"]);
  });

  it("refills at the sustained rate, and an accepted frame resets the refusals", () => {
    let now = 0;
    const limiter = new FrameRateLimiter({ perSecond: 10, burst: 1, maxRejectedInARow: 1, now: () => now });
    expect(limiter.take()).toBe("accept");
    expect(limiter.take()).toBe("reject");
    now += 100; // one token at 10 per second
    expect(limiter.take()).toBe("accept");
    expect(limiter.take()).toBe("reject");
    now += 10_000; // never more than the burst
    expect([limiter.take(), limiter.take()]).toEqual(["accept", "reject"]);
  });
});
