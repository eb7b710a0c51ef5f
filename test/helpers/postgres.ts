/**
 * Test support for the PostgreSQL store: the machine's database
 * (CHAT_TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test), a schema
 * of each test's own, and a cleanup that drops it.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { PostgresRoomStore, type PostgresStoreOptions } from "../../src/stores/postgres/index.js";
import { RedisRoomBus } from "../../src/stores/redis/index.js";
import { TEST_REDIS_URL } from "./redis.js";

export const TEST_POSTGRES_URL =
  process.env.CHAT_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** A schema name no other test uses. */
export function testSchema(): string {
  return `test_${randomBytes(5).toString("hex")}`;
}

export function connectTestStore(
  options: PostgresStoreOptions & { schema: string },
): Promise<PostgresRoomStore> {
  return PostgresRoomStore.connect({ url: TEST_POSTGRES_URL, ...options });
}

/**
 * A store on the test database whose bus is the test Redis (Pub/Sub leaves
 * no keys to drop).
 */
export async function connectTestStoreOverRedis(
  options: PostgresStoreOptions & { schema: string },
  redisUrl = TEST_REDIS_URL,
): Promise<PostgresRoomStore> {
  // Named after the schema: every store on it hears the same channels.
  const bus = await RedisRoomBus.connect({ url: redisUrl, keyPrefix: `test-${options.schema}` });
  return connectTestStore({ ...options, bus });
}

/** Runs one statement on a connection of its own (for setup, faults and checks). */
export async function sql<Row extends pg.QueryResultRow = pg.QueryResultRow>(
  text: string,
  params: unknown[] = [],
  url = TEST_POSTGRES_URL,
): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** Drops a test's schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  await sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}
