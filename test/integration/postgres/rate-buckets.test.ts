import { afterEach, describe, expect, it } from "vitest";
import { AuthError, RateLimits } from "../../../src/auth/index.js";
import { Disposer } from "../../helpers/disposer.js";
import { connectTestStore, dropSchema, sql, testSchema } from "../../helpers/postgres.js";

const disposer = new Disposer();
afterEach(() => disposer.dispose());

/** A process's limits over its store's buckets: two stores on one schema are two processes. */
async function processLimits(schema: string, presenceLeaseMs?: number) {
  const options = presenceLeaseMs === undefined ? { schema } : { schema, presenceLeaseMs };
  const store = disposer.add(await connectTestStore(options), (s) => s.close());
  const limits = new RateLimits({
    submitsPerSecond: 0.01,
    streamsPerSecond: 0.01,
    maxStreamsPerCaller: 100,
    buckets: store.rateBuckets(),
  });
  return { store, limits };
}

describe("rate limits in PostgreSQL", () => {
  it("counts one caller's posts over two processes together, and concurrent takes never overdraw", async () => {
    const schema = testSchema();
    disposer.defer(() => dropSchema(schema));
    const first = await processLimits(schema);
    const second = await processLimits(schema);
    await first.limits.takeSubmit("user:ann");
    const refused = await second.limits.takeSubmit("user:ann").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AuthError);
    expect(refused).toMatchObject({ code: "rate_limited", retryAfterSeconds: 100 });
    await second.limits.takeSubmit("user:bob");

    // One token (0.2 per second, refilled in 5 s), 30 takes at once from both processes: exactly one passes.
    const fast = (store: typeof first.store) =>
      new RateLimits({
        submitsPerSecond: 0.2,
        streamsPerSecond: 1,
        maxStreamsPerCaller: 1,
        buckets: store.rateBuckets(),
      });
    const limits = [fast(first.store), fast(second.store)];
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (limits[i % 2] as RateLimits).takeSubmit("user:eve").then(
          () => "ok",
          () => "refused",
        ),
      ),
    );
    expect(outcomes.filter((o) => o === "ok")).toHaveLength(1);
  });

  it("lets the heartbeat delete buckets that are full again", async () => {
    const schema = testSchema();
    disposer.defer(() => dropSchema(schema));
    // A short lease: the heartbeat runs every third of it.
    const { store } = await processLimits(schema, 300);
    await store.rateBuckets().take("submit:user:ann", 1000, 5000);
    expect(await sql(`SELECT key FROM "${schema}".rate_buckets`)).toEqual([{ key: "submit:user:ann" }]);
    await sql(`UPDATE "${schema}".rate_buckets SET expires_at = now() - interval '1 second'`);
    await expect
      .poll(async () => (await sql(`SELECT key FROM "${schema}".rate_buckets`)).length, { timeout: 10_000 })
      .toBe(0);
  });
});
