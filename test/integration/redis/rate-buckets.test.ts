import { createClient } from "@redis/client";
import { afterEach, describe, expect, it } from "vitest";
import { AuthError, RateLimits } from "../../../src/auth/index.js";
import { RedisRateBuckets } from "../../../src/stores/redis/index.js";
import { Disposer, errorOf, startTestServer } from "../../helpers/http-server.js";
import { dropKeys, TEST_REDIS_URL, testKeyPrefix } from "../../helpers/redis.js";
import { startOwnRedis } from "../../helpers/redis-server.js";

const disposer = new Disposer();
afterEach(() => disposer.dispose());

/** A process's limits over Redis buckets: two of them on one prefix are two processes of one deployment. */
async function processLimits(keyPrefix: string, url = TEST_REDIS_URL) {
  const buckets = disposer.add(await RedisRateBuckets.connect({ url, keyPrefix }), (b) => b.close());
  return new RateLimits({
    submitsPerSecond: 0.01,
    streamsPerSecond: 0.01,
    maxStreamsPerCaller: 100,
    buckets,
  });
}

describe("rate limits in Redis", () => {
  it("counts one caller's posts over two processes together; another caller has a bucket of its own", async () => {
    const prefix = testKeyPrefix();
    disposer.defer(() => dropKeys(prefix));
    const first = await processLimits(prefix);
    const second = await processLimits(prefix);
    // 0.01 per second: a burst of one (five times the rate, at least one).
    await first.takeSubmit("user:ann");
    const refused = await second.takeSubmit("user:ann").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AuthError);
    expect(refused).toMatchObject({ code: "rate_limited", retryAfterSeconds: 100 });
    await second.takeSubmit("user:bob");
    // Streams have buckets apart from posts.
    (await first.openStream("user:ann"))();
    await expect(second.openStream("user:ann")).rejects.toMatchObject({ code: "rate_limited" });
  });

  it("lets its keys expire once the bucket would be full again (idle callers cost nothing)", async () => {
    const prefix = testKeyPrefix();
    disposer.defer(() => dropKeys(prefix));
    const buckets = disposer.add(await RedisRateBuckets.connect({ keyPrefix: prefix }), (b) => b.close());
    expect(await buckets.take("submit:user:ann", 1000, 5000)).toBe(0);
    const client = disposer.add(await createClient({ url: TEST_REDIS_URL }).connect(), (c) => c.destroy());
    const ttl = await client.pTTL(`${prefix}:rate:submit:user:ann`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1001);
  });

  it("answers 503 store_unavailable while Redis is down, and limits again once it is back", async () => {
    const redis = disposer.add(await startOwnRedis(), (r) => r.stop());
    const rateLimits = await processLimits(testKeyPrefix(), redis.url);
    const server = await startTestServer(disposer, { app: { rateLimits } });
    expect((await server.postJson("/room/lobby", { userId: "ann", text: "one" })).status).toBe(201);
    await redis.stop();
    const down = await server.postJson("/room/lobby", { userId: "bob", text: "while down" });
    expect(await errorOf(down)).toMatchObject({ status: 503, code: "store_unavailable" });
    expect((await server.rooms.history("lobby")).map((m) => m.text)).toEqual(["one"]);
    await redis.start();
    // Redis came back empty (no persistence): bob's bucket is full again once the client reconnected.
    await expect
      .poll(async () => (await server.postJson("/room/lobby", { userId: "bob", text: "back" })).status, {
        timeout: 10_000,
      })
      .toBe(201);
  });
});
