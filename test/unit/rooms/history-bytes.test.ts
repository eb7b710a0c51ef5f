import { describe, expect, it } from "vitest";
import { ChatMetrics } from "../../../src/observability/index.js";
import { MemoryRoomStore, parseCursor, RoomManager } from "../../../src/rooms/index.js";
import { heapUsed } from "../../helpers/heap.js";

const TEXT = "x".repeat(4_000);
const MiB = 1024 * 1024;

/** A 4,000-byte text of its own (a flat string, as a parsed request body gives): texts never share memory. */
function distinctText(i: number): string {
  const bytes = Buffer.alloc(4_000, "x");
  bytes.write(String(i));
  return bytes.toString("latin1");
}

async function flood(store: MemoryRoomStore, posts: number, rooms: number): Promise<void> {
  for (let i = 0; i < posts; i++) {
    const text = distinctText(i);
    await store.append({ roomId: `r${i % rooms}`, userId: "ann", text, sentAt: "2026-12-02T00:00:00.000Z" });
  }
}

describe("the in-memory store's byte bound on history", () => {
  it("keeps 100,000 posts of 4,000 bytes into 100 rooms (381 MiB of text) within historyBytes, heap included", async () => {
    const before = heapUsed();
    const store = new MemoryRoomStore({ historyBytes: 32 * MiB });
    await flood(store, 100_000, 100);
    expect(store.stats.retainedBytes).toBeLessThanOrEqual(32 * MiB);
    expect(store.stats.retainedBytes).toBeGreaterThan(31 * MiB);
    // The heap holds the retained texts and little else: nothing grows with what was posted.
    expect(heapUsed() - before).toBeLessThan(64 * MiB);
    expect(store.stats.evictedMessages).toBeGreaterThan(90_000);
  });

  it("evicts the oldest messages of all rooms first, and a room's history stays contiguous", async () => {
    const perMessage = 4_000 + 3 + 128;
    const store = new MemoryRoomStore({ historyBytes: 10 * perMessage });
    await flood(store, 6, 1); // r0: offsets 1..6
    for (let i = 0; i < 6; i++) {
      await store.append({
        roomId: "late",
        userId: "ann",
        text: distinctText(i),
        sentAt: "2026-12-02T00:00:00.000Z",
      });
    }
    // 12 messages, room for 10: the two oldest (r0's offsets 1 and 2) went.
    const early = await store.read("r0", { limit: 100 });
    expect(early).toMatchObject({ firstOffset: 3, lastOffset: 6 });
    expect(early?.messages.map((m) => parseCursor(m.id).offset)).toEqual([3, 4, 5, 6]);
    expect((await store.read("late", { limit: 100 }))?.messages).toHaveLength(6);
    expect(store.stats).toEqual({ retainedBytes: 10 * perMessage, evictedMessages: 2 });
  });

  it("bounds one room by roomHistoryBytes, and gives the bytes back when the room is deleted", async () => {
    const perMessage = 4_000 + 3 + 128;
    const store = new MemoryRoomStore({ roomHistoryBytes: 3 * perMessage });
    await flood(store, 5, 1);
    expect(await store.read("r0", { limit: 100 })).toMatchObject({ firstOffset: 3, lastOffset: 5 });
    expect(store.stats.retainedBytes).toBe(3 * perMessage);
    await store.deleteRoom("r0");
    expect(store.stats.retainedBytes).toBe(0);
  });

  it("tells a listener resuming from evicted history recovered:false, and reports bytes and evictions as metrics", async () => {
    const rooms = new RoomManager({ historyBytes: 4 * (4_000 + 3 + 128) });
    const first = await rooms.submit({ roomId: "lobby", userId: "ann", text: TEXT });
    for (let i = 0; i < 5; i++) await rooms.submit({ roomId: "lobby", userId: "ann", text: TEXT });
    const listener = await rooms.openListener("lobby", { since: first.id });
    const ready = await listener.next();
    expect(ready.value).toMatchObject({ type: "ready", recovered: false });
    listener.close();
    const metrics = await new ChatMetrics(rooms).registry.metrics();
    expect(metrics).toMatch(new RegExp(`^chat_history_retained_bytes ${4 * (4_000 + 3 + 128)}$`, "m"));
    expect(metrics).toMatch(/^chat_history_evicted_total 2$/m);
    await rooms.close();
  });
});
