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

async function refusal(action: () => Promise<unknown>): Promise<AuthError> {
  const error = await action().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthError);
  return error as AuthError;
}

describe("RateLimits", () => {
  it("lets a burst of five times the rate through, then refuses with the seconds to wait, then recovers", async () => {
    const { rateLimits, advance } = limits();
    for (let i = 0; i < 10; i++) await rateLimits.takeSubmit("user:ann");
    const refused = await refusal(() => rateLimits.takeSubmit("user:ann"));
    expect(refused).toMatchObject({ code: "rate_limited", retryAfterSeconds: 1 });
    advance(499);
    await refusal(() => rateLimits.takeSubmit("user:ann"));
    advance(1);
    await rateLimits.takeSubmit("user:ann");
  });

  it("keeps each caller's bucket apart", async () => {
    const { rateLimits } = limits();
    for (let i = 0; i < 10; i++) await rateLimits.takeSubmit("user:ann");
    await refusal(() => rateLimits.takeSubmit("user:ann"));
    await rateLimits.takeSubmit("user:bob");
  });

  it("caps the streams a caller holds, and frees a place when one is released (once)", async () => {
    const { rateLimits } = limits({ streamsPerSecond: 100 });
    const releases = [];
    for (let i = 0; i < 3; i++) releases.push(await rateLimits.openStream("user:ann"));
    expect((await refusal(() => rateLimits.openStream("user:ann"))).message).toMatch(/3 open streams/);
    releases[0]?.();
    releases[0]?.();
    await rateLimits.openStream("user:ann");
    await refusal(() => rateLimits.openStream("user:ann"));
  });

  it("limits how fast a caller opens streams", async () => {
    const { rateLimits, advance } = limits({ maxStreamsPerCaller: 100 });
    for (let i = 0; i < 5; i++) (await rateLimits.openStream("user:ann"))();
    expect((await refusal(() => rateLimits.openStream("user:ann"))).retryAfterSeconds).toBe(1);
    advance(1000);
    await rateLimits.openStream("user:ann");
  });

  it("forgets the idlest callers past maxCallers (bounded memory)", async () => {
    const { rateLimits } = limits({ maxCallers: 2 });
    for (let i = 0; i < 10; i++) await rateLimits.takeSubmit("user:ann");
    await rateLimits.takeSubmit("user:bob");
    await rateLimits.takeSubmit("user:eve");
    // ann was the idlest and was dropped: she starts again with a full bucket.
    await rateLimits.takeSubmit("user:ann");
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
