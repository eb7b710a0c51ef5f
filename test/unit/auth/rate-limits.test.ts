import { describe, expect, it } from "vitest";
import { ANONYMOUS, AuthError, RateLimits, rateKey } from "../../../src/auth/index.js";

function limits(overrides: Partial<ConstructorParameters<typeof RateLimits>[0]> = {}) {
  let now = 0;
  const rateLimits = new RateLimits({
    submitsPerSecond: 2,
    streamsPerSecond: 1,
    maxStreamsPerCaller: 3,
    now: () => now,
    ...overrides,
  });
  return { rateLimits, advance: (ms: number) => (now += ms) };
}

function refusal(action: () => unknown): AuthError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError);
    return error as AuthError;
  }
  throw new Error("Expected a refusal");
}

describe("RateLimits", () => {
  it("lets a burst of five times the rate through, then refuses with the seconds to wait, then recovers", () => {
    const { rateLimits, advance } = limits();
    for (let i = 0; i < 10; i++) rateLimits.takeSubmit("user:ann");
    const refused = refusal(() => rateLimits.takeSubmit("user:ann"));
    expect(refused).toMatchObject({ code: "rate_limited", retryAfterSeconds: 1 });
    advance(499);
    refusal(() => rateLimits.takeSubmit("user:ann"));
    advance(1);
    rateLimits.takeSubmit("user:ann");
  });

  it("keeps each caller's bucket apart", () => {
    const { rateLimits } = limits();
    for (let i = 0; i < 10; i++) rateLimits.takeSubmit("user:ann");
    refusal(() => rateLimits.takeSubmit("user:ann"));
    rateLimits.takeSubmit("user:bob");
  });

  it("caps the streams a caller holds, and frees a place when one is released (once)", () => {
    const { rateLimits } = limits({ streamsPerSecond: 100 });
    const releases = [1, 2, 3].map(() => rateLimits.openStream("user:ann"));
    expect(refusal(() => rateLimits.openStream("user:ann")).message).toMatch(/3 open streams/);
    releases[0]?.();
    releases[0]?.();
    rateLimits.openStream("user:ann");
    refusal(() => rateLimits.openStream("user:ann"));
  });

  it("limits how fast a caller opens streams", () => {
    const { rateLimits, advance } = limits({ maxStreamsPerCaller: 100 });
    for (let i = 0; i < 5; i++) rateLimits.openStream("user:ann")();
    expect(refusal(() => rateLimits.openStream("user:ann")).retryAfterSeconds).toBe(1);
    advance(1000);
    rateLimits.openStream("user:ann");
  });

  it("forgets the idlest callers past maxCallers (bounded memory)", () => {
    const { rateLimits } = limits({ maxCallers: 2 });
    for (let i = 0; i < 10; i++) rateLimits.takeSubmit("user:ann");
    rateLimits.takeSubmit("user:bob");
    rateLimits.takeSubmit("user:eve");
    // ann was the idlest and was dropped: she starts again with a full bucket.
    rateLimits.takeSubmit("user:ann");
  });

  it("keys a token's user by name and an anonymous caller by address", () => {
    expect(rateKey(ANONYMOUS, "127.0.0.1")).toBe("address:127.0.0.1");
    const ann = { userId: "ann", expiresAt: 0, can: () => true };
    expect(rateKey(ann, "127.0.0.1")).toBe("user:ann");
  });

  it("validates its options", () => {
    expect(
      () => new RateLimits({ submitsPerSecond: 0, streamsPerSecond: 1, maxStreamsPerCaller: 1 }),
    ).toThrow(/submitsPerSecond/);
  });
});
