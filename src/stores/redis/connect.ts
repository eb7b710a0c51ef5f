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

type ScriptClient<S extends RedisScripts> = RedisClientType<Record<string, never>, Record<string, never>, S>;

/**
 * A command connection and a Pub/Sub one, both connected. They fail at once
 * while disconnected (a submit answers 503 instead of waiting) and reconnect
 * by themselves.
 * @throws StoreUnavailableError when Redis does not answer within `connectTimeoutMs`.
 */
export async function connectPair<S extends RedisScripts>(
  options: RedisConnectOptions<S>,
): Promise<{ client: ScriptClient<S>; subscriber: RedisClientType }> {
  const client = newClient(options);
  const subscriber = client.duplicate() as unknown as RedisClientType;
  subscriber.on("error", () => undefined);
  await connectAll([client, subscriber], options);
  return { client, subscriber };
}

/** One command connection, connected, as `connectPair`'s. @throws StoreUnavailableError */
export async function connectClient<S extends RedisScripts>(
  options: RedisConnectOptions<S>,
): Promise<ScriptClient<S>> {
  const client = newClient(options);
  await connectAll([client], options);
  return client;
}

function newClient<S extends RedisScripts>(options: RedisConnectOptions<S>): ScriptClient<S> {
  const client = createClient({
    url: options.url ?? REDIS_DEFAULTS.url,
    ...(options.scripts === undefined ? {} : { scripts: options.scripts }),
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1_000) },
  }) as unknown as ScriptClient<S>;
  // Errors are reported through `healthy` and failed calls; an unhandled 'error' would crash.
  client.on("error", () => undefined);
  return client;
}

async function connectAll(
  clients: readonly { connect(): Promise<unknown>; destroy(): void }[],
  options: { readonly connectTimeoutMs?: number | undefined },
): Promise<void> {
  const connectTimeoutMs = positiveInteger(
    "connectTimeoutMs",
    options.connectTimeoutMs ?? REDIS_DEFAULTS.connectTimeoutMs,
  );
  try {
    await withTimeout(Promise.all(clients.map((client) => client.connect())), connectTimeoutMs);
  } catch (error) {
    for (const client of clients) client.destroy();
    throw new StoreUnavailableError(error);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
