import type { RedisClientType } from "@redis/client";
import type { BusEvent, BusSubscription } from "../../rooms/index.js";
import { payloadToEvent } from "./codec.js";

type Handler = (event: BusEvent) => void;

/**
 * The per-room Pub/Sub side of the store, on a connection of its own: a
 * channel is subscribed while at least one handler wants its room. Pub/Sub is
 * at-most-once: when the connection comes back after a drop (the client
 * resubscribes by itself), every room gets a `resync` event, so its feed
 * compares positions with the store and catches up.
 */
export class RedisBus {
  readonly #subscriber: RedisClientType;
  readonly #rooms = new Map<string, { handlers: Set<Handler>; acknowledged: Promise<void> }>();
  #reconnects = 0;
  #everReady: boolean;

  constructor(subscriber: RedisClientType) {
    this.#subscriber = subscriber;
    // Built after connecting: the first 'ready' from now on is already a reconnect.
    this.#everReady = subscriber.isReady;
    subscriber.on("ready", () => {
      if (this.#everReady) {
        this.#reconnects++;
        for (const [roomId, room] of this.#rooms) {
          for (const handler of room.handlers) handler({ type: "resync", roomId });
        }
      }
      this.#everReady = true;
    });
  }

  /** How many times the Pub/Sub connection came back after a drop. */
  get reconnects(): number {
    return this.#reconnects;
  }

  async subscribe(roomId: string, channel: string, handler: Handler): Promise<BusSubscription> {
    let room = this.#rooms.get(roomId);
    if (room === undefined) {
      const handlers = new Set<Handler>();
      // Resolves once Redis acknowledged SUBSCRIBE: later publishes reach us.
      const acknowledged = this.#subscriber.subscribe(channel, (payload) => {
        const event = payloadToEvent(roomId, payload);
        if (event !== undefined) for (const each of [...handlers]) each(event);
      });
      room = { handlers, acknowledged };
      this.#rooms.set(roomId, room);
    }
    const current = room;
    try {
      await current.acknowledged;
    } catch (error) {
      if (this.#rooms.get(roomId) === current && current.handlers.size === 0) this.#rooms.delete(roomId);
      throw error;
    }
    // One entry per call, so one function subscribed twice is two subscriptions.
    const entry: Handler = (event) => handler(event);
    current.handlers.add(entry);
    return {
      unsubscribe: async () => {
        if (!current.handlers.delete(entry) || current.handlers.size > 0) return;
        if (this.#rooms.get(roomId) === current) this.#rooms.delete(roomId);
        await this.#subscriber.unsubscribe(channel).catch(() => undefined);
      },
    };
  }
}
