import { createClient, type RedisClientType, type RedisScripts } from "@redis/client";
import { positiveInteger, StoreUnavailableError } from "../../rooms/index.js";

/** What the Redis store and the Redis bus assume when not told otherwise. */
export const REDIS_DEFAULTS = {
  url: "redis://127.0.0.1:6379",
  /** Prefix of every key and channel, so several deployments can share one Redis. */
  keyPrefix: "chat",
  /** How long to wait for Redis at start, in ms. */
  connectTimeoutMs: 5_000,
} as const;

export interface RedisConnectOptions<S extends RedisScripts> {
  readonly url?: string | undefined;
  readonly connectTimeoutMs?: number | undefined;
  readonly scripts?: S;
}

/**
 * A command connection and a Pub/Sub one, both connected. They fail at once
 * while disconnected (a submit answers 503 instead of waiting) and reconnect
 * by themselves.
 * @throws StoreUnavailableError when Redis does not answer within `connectTimeoutMs`.
 */
export async function connectPair<S extends RedisScripts>(
  options: RedisConnectOptions<S>,
): Promise<{
  client: RedisClientType<Record<string, never>, Record<string, never>, S>;
  subscriber: RedisClientType;
}> {
  const connectTimeoutMs = positiveInteger(
    "connectTimeoutMs",
    options.connectTimeoutMs ?? REDIS_DEFAULTS.connectTimeoutMs,
  );
  const client = createClient({
    url: options.url ?? REDIS_DEFAULTS.url,
    ...(options.scripts === undefined ? {} : { scripts: options.scripts }),
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1_000) },
  }) as unknown as RedisClientType<Record<string, never>, Record<string, never>, S>;
  const subscriber = client.duplicate() as unknown as RedisClientType;
  // Errors are reported through `healthy` and failed calls; an unhandled 'error' would crash.
  client.on("error", () => undefined);
  subscriber.on("error", () => undefined);
  try {
    await withTimeout(Promise.all([client.connect(), subscriber.connect()]), connectTimeoutMs);
  } catch (error) {
    client.destroy();
    subscriber.destroy();
    throw new StoreUnavailableError(error);
  }
  return { client, subscriber };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
