import { type BusEvent, type BusSubscription, MemoryRoomStore } from "../../src/rooms/index.js";

/** A memory store whose bus loses the events `lose` picks, as Redis Pub/Sub does during a reconnect. */
export class LossyBusStore extends MemoryRoomStore {
  lose: (event: BusEvent) => boolean = () => false;
  readonly #handlers: Array<(event: BusEvent) => void> = [];

  override subscribe(roomId: string, onEvent: (event: BusEvent) => void): Promise<BusSubscription> {
    this.#handlers.push(onEvent);
    return super.subscribe(roomId, (event) => {
      if (!this.lose(event)) onEvent(event);
    });
  }

  /** Hands an event to every bus subscriber, as a bus delivering a stale one would. */
  inject(event: BusEvent): void {
    for (const handler of this.#handlers) handler(event);
  }
}
