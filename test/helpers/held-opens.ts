import { type OpenListenerOptions, type RoomListener, RoomManager } from "../../src/rooms/index.js";

/**
 * A RoomManager that holds every `openListener` of a user whose id starts
 * with `held-` until `release()`: a test can act (cancel, cut the connection)
 * while the server is still opening a stream, before it sent `ready`.
 */
export class HeldOpenRooms extends RoomManager {
  #held = 0;
  #waiters: { count: number; resolve: () => void }[] = [];
  #release!: () => void;
  readonly #released = new Promise<void>((resolve) => {
    this.#release = resolve;
  });

  override async openListener(roomId: string, options?: OpenListenerOptions): Promise<RoomListener> {
    if (options?.userId?.startsWith("held-")) {
      this.#held++;
      for (const waiter of this.#waiters.filter((w) => w.count <= this.#held)) waiter.resolve();
      await this.#released;
    }
    return super.openListener(roomId, options);
  }

  /** Resolves once `count` opens are being held. */
  held(count: number): Promise<void> {
    if (this.#held >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }

  /** Lets every held open (and any later one) proceed. */
  release(): void {
    this.#release();
  }
}
