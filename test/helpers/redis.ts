/**
 * Test support for the Redis store: the machine's Redis (CHAT_TEST_REDIS_URL,
 * default redis://127.0.0.1:6379), a key prefix of each test's own, and a
 * cleanup that drops that prefix's keys.
 */
import { randomBytes } from "node:crypto";
import { createClient } from "@redis/client";
import { RedisRoomStore, type RedisStoreOptions } from "../../src/stores/redis/index.js";

export const TEST_REDIS_URL = process.env.CHAT_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A prefix no other test uses. */
export function testKeyPrefix(): string {
  return `test-${randomBytes(5).toString("hex")}`;
}

export function connectTestStore(
  options: RedisStoreOptions & { keyPrefix: string },
): Promise<RedisRoomStore> {
  return RedisRoomStore.connect({ url: TEST_REDIS_URL, ...options });
}

/** Deletes every key under `prefix`. */
export async function dropKeys(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  const client = createClient({ url });
  client.on("error", () => undefined);
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}:*`, COUNT: 500 })) {
      if (keys.length > 0) await client.del(keys);
    }
  } finally {
    client.destroy();
  }
}
