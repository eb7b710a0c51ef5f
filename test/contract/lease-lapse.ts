/**
 * What a shared store owes presence when one process loses the store for
 * longer than its lease and comes back: the other processes release its
 * listeners (their users get `left`), and once it is back it counts them
 * again (`joined`, members again), so their later closes count too.
 */
import { expect } from "vitest";
import { RoomManager, type RoomStore } from "../../src/rooms/index.js";
import { RoomListenerReader } from "../helpers/rooms.js";

export interface LeaseLapse {
  /** The process that loses the store (its lease must be short). */
  readonly lapsing: RoomStore;
  /** A process that keeps the store and sweeps (same short lease). */
  readonly sweeping: RoomStore;
  /** Cuts the lapsing process off the store, for real. */
  readonly cut: () => Promise<void>;
  readonly restore: () => Promise<void>;
}

export async function expectListenersCountedAgainAfterLapse(setup: LeaseLapse): Promise<void> {
  const { lapsing, sweeping } = setup;
  const rooms = new RoomManager({ store: sweeping });
  try {
    const wendy = new RoomListenerReader(await rooms.openListener("lobby", { userId: "wendy" }));
    const dora = await lapsing.openListener("lobby", "dora");
    await wendy.until((events) => events.some((e) => e.type === "joined"));

    await setup.cut();
    // The other process releases dora once her process's lease has run out.
    await wendy.until((events) => events.some((e) => e.type === "left"));
    expect((await sweeping.getRoom("lobby"))?.members).toEqual(["wendy"]);

    await setup.restore();
    await wendy.until((events) => events.filter((e) => e.type === "joined").length === 2);
    expect((await sweeping.getRoom("lobby"))?.members).toEqual(["dora", "wendy"]);
    await lapsing.closeListener("lobby", dora.listenerId);
    await wendy.until((events) => events.filter((e) => e.type === "left").length === 2);
    expect(wendy.labels.slice(1)).toEqual(["joined:dora", "left:dora", "joined:dora", "left:dora"]);
    wendy.listener.close();
  } finally {
    await rooms.close();
  }
}
