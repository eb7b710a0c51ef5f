import { type CommandParser, defineScript, type RedisArgument } from "@redis/client";
import { StoreUnavailableError } from "../../rooms/index.js";
import { connectClient, REDIS_DEFAULTS } from "./connect.js";

/**
 * One token bucket, refilled by Redis's own clock (every process sees the
 * same time): KEYS[1] the bucket hash {tokens, at}; ARGV rate per second,
 * burst. Answers 0 when a token was taken, else the whole seconds until one
 * could be. The key expires once the bucket would be full again, so idle
 * callers cost no memory.
 */
const TAKE = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + (now - at) / 1000 * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / rate) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
return wait
`;

const SCRIPTS = {
  chatRateTake: defineScript({
    NUMBER_OF_KEYS: 1,
    SCRIPT: TAKE,
    parseCommand(parser: CommandParser, key: RedisArgument, rate: RedisArgument, burst: RedisArgument) {
      parser.pushKey(key);
      parser.push(rate, burst);
    },
    transformReply: (reply: unknown): unknown => reply,
  }),
};

export interface RedisRateBucketsOptions {
  /** @default redis://127.0.0.1:6379 */
  readonly url?: string | undefined;
  /** @default "chat" */
  readonly keyPrefix?: string | undefined;
  readonly connectTimeoutMs?: number | undefined;
}

/**
 * Rate-limit buckets in Redis, for `RateLimits` (`buckets`): every process on
 * one Redis counts a caller's posts and new streams together. While Redis is
 * unreachable a take fails with `StoreUnavailableError` (503
 * `store_unavailable`): a limit that cannot be checked does not let the call
 * through, as a submit would fail then anyway.
 */
export class RedisRateBuckets {
  readonly #client: Awaited<ReturnType<typeof connectClient<typeof SCRIPTS>>>;
  readonly #prefix: string;

  private constructor(client: Awaited<ReturnType<typeof connectClient<typeof SCRIPTS>>>, prefix: string) {
    this.#client = client;
    this.#prefix = prefix;
  }

  /** @throws StoreUnavailableError when Redis does not answer within `connectTimeoutMs` */
  static async connect(options: RedisRateBucketsOptions = {}): Promise<RedisRateBuckets> {
    const client = await connectClient({
      url: options.url,
      connectTimeoutMs: options.connectTimeoutMs,
      scripts: SCRIPTS,
    });
    return new RedisRateBuckets(client, options.keyPrefix ?? REDIS_DEFAULTS.keyPrefix);
  }

  async take(key: string, perSecond: number, burst: number): Promise<number> {
    try {
      const wait = await this.#client.chatRateTake(
        `${this.#prefix}:rate:${key}`,
        String(perSecond),
        String(burst),
      );
      return Number(wait);
    } catch (error) {
      throw new StoreUnavailableError(error);
    }
  }

  close(): void {
    this.#client.destroy();
  }
}
