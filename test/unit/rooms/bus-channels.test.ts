import { describe, expect, it } from "vitest";
import { type BusChannel, BusChannels, type BusEvent } from "../../../src/rooms/index.js";

const resync = (roomId: string): BusEvent => ({ type: "resync", roomId });

describe("BusChannels", () => {
  it("opens a channel for its first subscriber only and closes it when the last one leaves", async () => {
    const closed: string[] = [];
    const channels = new BusChannels<BusChannel>(async (key) => {
      closed.push(key);
    });
    let opened = 0;
    const open = () => {
      opened++;
      return { handlers: new Set<(event: BusEvent) => void>(), ready: Promise.resolve() };
    };
    const seen: string[] = [];
    const handler = (event: BusEvent) => seen.push(event.type);
    const first = await channels.subscribe("a", handler, open);
    const second = await channels.subscribe("a", handler, open);
    expect(opened).toBe(1);
    const channel = channels.get("a");
    for (const each of channel?.handlers ?? []) each(resync("a"));
    // The same function subscribed twice is two subscriptions.
    expect(seen).toEqual(["resync", "resync"]);
    await first.unsubscribe();
    await first.unsubscribe();
    expect(closed).toEqual([]);
    await second.unsubscribe();
    expect(closed).toEqual(["a"]);
    expect(channels.get("a")).toBeUndefined();
  });

  it("leaves nothing behind when the bus refuses the subscription, so the next one opens afresh", async () => {
    const channels = new BusChannels<BusChannel>(async () => undefined);
    const refused = () => ({
      handlers: new Set<(event: BusEvent) => void>(),
      ready: Promise.reject(new Error("bus down")),
    });
    await expect(channels.subscribe("a", () => undefined, refused)).rejects.toThrow("bus down");
    expect(channels.get("a")).toBeUndefined();
    const accepted = () => ({ handlers: new Set<(event: BusEvent) => void>(), ready: Promise.resolve() });
    await channels.subscribe("a", () => undefined, accepted);
    expect(channels.get("a")?.handlers.size).toBe(1);
  });
});
