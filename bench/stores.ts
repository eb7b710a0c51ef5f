/**
 * The stores the in-process benches compare, each opened on a fresh
 * namespace (a Redis key prefix, a PostgreSQL schema) that `drop` removes.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { createClient } from "@redis/client";
import pg from "pg";
import { MemoryRoomStore, type RoomStore } from "../src/rooms/index.js";
import { PostgresRoomStore } from "../src/stores/postgres/index.js";
import { RedisRoomBus, RedisRoomStore } from "../src/stores/redis/index.js";

export type StoreName = "memory" | "redis" | "postgres" | "postgres+redis";

export const STORE_NAMES = "memory,redis,postgres,postgres+redis";

export interface BenchUrls {
  readonly redis: string;
  readonly postgres: string;
}

export const BENCH_URLS: BenchUrls = {
  redis: "redis://127.0.0.1:6379",
  postgres: "postgres://postgres@127.0.0.1:5432/test",
};

export interface Backend {
  readonly store: RoomStore;
  /** Closes the store and removes its namespace. */
  readonly drop: () => Promise<void>;
}

export async function openStore(name: StoreName, urls: BenchUrls): Promise<Backend> {
  const namespace = `bench_${randomBytes(4).toString("hex")}`;
  if (name === "memory") {
    const store = new MemoryRoomStore();
    return { store, drop: () => store.close() };
  }
  if (name === "redis") {
    const store = await RedisRoomStore.connect({ url: urls.redis, keyPrefix: namespace });
    return { store, drop: () => store.close().then(() => dropRedisPrefix(urls.redis, namespace)) };
  }
  const bus =
    name === "postgres+redis"
      ? await RedisRoomBus.connect({ url: urls.redis, keyPrefix: namespace })
      : undefined;
  const store = await PostgresRoomStore.connect({ url: urls.postgres, schema: namespace, bus });
  return { store, drop: () => store.close().then(() => dropPostgresSchema(urls.postgres, namespace)) };
}

async function dropRedisPrefix(url: string, prefix: string): Promise<void> {
  const client = createClient({ url });
  await client.connect();
  for await (const keys of client.scanIterator({ MATCH: `${prefix}:*`, COUNT: 1000 }))
    if (keys.length > 0) await client.del(keys);
  client.destroy();
}

async function dropPostgresSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
}

export const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/**
 * The options both in-process benches take (`--help` prints `usage` and
 * exits), parsed from the command line.
 */
export function parseBenchArgs(usage: string, defaultSeconds: number) {
  const { values } = parseArgs({
    options: {
      stores: { type: "string", default: STORE_NAMES },
      seconds: { type: "string", default: String(defaultSeconds) },
      concurrency: { type: "string", default: "32" },
      runs: { type: "string", default: "3" },
      redis: { type: "string", default: BENCH_URLS.redis },
      postgres: { type: "string", default: BENCH_URLS.postgres },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  return {
    stores: values.stores.split(",") as StoreName[],
    seconds: Number(values.seconds),
    concurrency: Number(values.concurrency),
    runs: Number(values.runs),
    urls: { redis: values.redis, postgres: values.postgres } satisfies BenchUrls,
  };
}
