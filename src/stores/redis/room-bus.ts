import type { RedisClientType } from "@redis/client";
import type { AnnouncedEvent, BusEvent, BusSubscription, RoomBus } from "../../rooms/index.js";
import { RedisBus } from "./bus.js";
import { eventToPayload } from "./codec.js";
import { connectPair, REDIS_DEFAULTS } from "./connect.js";
import { roomKeys } from "./keys.js";

export interface RedisRoomBusOptions {
  /** @default "redis://127.0.0.1:6379" */
  readonly url?: string;
  /** Prefix of the channels (as the Redis store's keys). @default "chat" */
  readonly keyPrefix?: string;
  /** How long to wait for Redis at start, in milliseconds. @default 5000 */
  readonly connectTimeoutMs?: number;
}

/**
 * Redis Pub/Sub as the bus of a store that keeps rooms elsewhere
 * (`PostgresRoomStore`'s `bus` option): whole events on the room's channel,
 * with the Redis store's payloads, so listening processes read nothing back.
 * At most once: after a reconnect every room gets a `resync`.
 */
export class RedisRoomBus implements RoomBus {
  readonly #client: RedisClientType;
  readonly #subscriber: RedisClientType;
  readonly #bus: RedisBus;
  readonly #prefix: string;

  private constructor(client: RedisClientType, subscriber: RedisClientType, prefix: string) {
    this.#client = client;
    this.#subscriber = subscriber;
    this.#bus = new RedisBus(subscriber);
    this.#prefix = prefix;
  }

  /** @throws StoreUnavailableError when Redis does not answer within `connectTimeoutMs`. */
  static async connect(options: RedisRoomBusOptions = {}): Promise<RedisRoomBus> {
    const { client, subscriber } = await connectPair({
      url: options.url,
      connectTimeoutMs: options.connectTimeoutMs,
    });
    const prefix = options.keyPrefix ?? REDIS_DEFAULTS.keyPrefix;
    return new RedisRoomBus(client as unknown as RedisClientType, subscriber, prefix);
  }

  get healthy(): boolean {
    return this.#client.isReady && this.#subscriber.isReady;
  }

  get reconnects(): number {
    return this.#bus.reconnects;
  }

  async publish(roomId: string, event: AnnouncedEvent): Promise<void> {
    await this.#client.publish(roomKeys(this.#prefix, roomId).channel, eventToPayload(event));
  }

  subscribe(roomId: string, onEvent: (event: BusEvent) => void): Promise<BusSubscription> {
    return this.#bus.subscribe(roomId, roomKeys(this.#prefix, roomId).channel, onEvent);
  }

  async close(): Promise<void> {
    this.#client.destroy();
    this.#subscriber.destroy();
  }
}
