import type { RedisClientType } from "@redis/client";
import { type BusChannel, BusChannels, type BusEvent, type BusSubscription } from "../../rooms/index.js";
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
  /** By channel name. */
  readonly #channels: BusChannels<BusChannel & { readonly roomId: string }>;
  #reconnects = 0;
  #everReady: boolean;

  constructor(subscriber: RedisClientType) {
    this.#subscriber = subscriber;
    this.#channels = new BusChannels((channel) => subscriber.unsubscribe(channel));
    // Built after connecting: the first 'ready' from now on is already a reconnect.
    this.#everReady = subscriber.isReady;
    subscriber.on("ready", () => {
      if (this.#everReady) {
        this.#reconnects++;
        for (const [, { roomId, handlers }] of this.#channels.entries()) {
          for (const handler of handlers) handler({ type: "resync", roomId });
        }
      }
      this.#everReady = true;
    });
  }

  /** How many times the Pub/Sub connection came back after a drop. */
  get reconnects(): number {
    return this.#reconnects;
  }

  subscribe(roomId: string, channel: string, handler: Handler): Promise<BusSubscription> {
    return this.#channels.subscribe(channel, handler, () => {
      const handlers = new Set<Handler>();
      // Resolves once Redis acknowledged SUBSCRIBE: later publishes reach us.
      const ready = this.#subscriber.subscribe(channel, (payload) => {
        const event = payloadToEvent(roomId, payload);
        if (event !== undefined) for (const each of [...handlers]) each(event);
      });
      return { roomId, handlers, ready };
    });
  }
}
