import { describe, expect, it } from "vitest";
import {
  type BusEvent,
  type BusSubscription,
  MemoryRoomStore,
  type Message,
} from "../../../src/rooms/index.js";
import {
  nextRoomEvent,
  RoomListenerReader,
  readyEventOf,
  roomEventLabel,
  roomEventsBeforeMarker,
  roomManagerForTest,
  submitRoomMessages,
} from "../../helpers/rooms.js";

const texts = (messages: readonly Message[]) => messages.map((m) => m.text);
const numbered = (from: number, to: number, prefix = "m") =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`);

/**
 * A store whose bus announces events only when the test calls `deliver()`, as
 * a shared store's announcements can reach a process after its own reads.
 */
class LateBusStore extends MemoryRoomStore {
  readonly #held: Array<() => void> = [];

  deliver(): void {
    for (const announce of this.#held.splice(0)) announce();
  }

  override subscribe(roomId: string, onEvent: (event: BusEvent) => void): Promise<BusSubscription> {
    return super.subscribe(roomId, (event) => this.#held.push(() => onEvent(event)));
  }
}

describe("RoomManager: resuming with since", () => {
  it("delivers every message after the cursor, then live ones, with no gap or duplicate while submits run", async () => {
    const manager = roomManagerForTest();
    const submitted: Message[] = [];
    let reached50!: () => void;
    const at50 = new Promise<void>((resolve) => {
      reached50 = resolve;
    });
    const produce = async (roomId: string, prefix: string, record: boolean) => {
      for (let i = 1; i <= 200; i++) {
        const message = await manager.submit({ roomId, userId: "alice", text: `${prefix}${i}` });
        if (record) submitted.push(message);
        if (record && i === 50) reached50();
      }
    };
    const producers = Promise.all([produce("lobby", "m", true), produce("noise", "n", false)]);
    await at50;
    const cursor = submitted[19]?.id;
    const reader = new RoomListenerReader(await manager.openListener("lobby", { since: cursor }));
    await producers;
    await manager.submit({ roomId: "lobby", userId: "alice", text: "end" });
    await reader.untilText("end");

    const ready = reader.events[0];
    expect(ready).toMatchObject({ type: "ready", recovered: true });
    // The listener opened while the producer was running: its seam lies inside the burst.
    const seam = submitted.findIndex((m) => ready?.type === "ready" && m.id === ready.lastId);
    expect(seam).toBeGreaterThanOrEqual(49);
    expect(seam).toBeLessThan(199);
    expect(reader.events.slice(1).every((e) => e.type === "message")).toBe(true);
    expect(texts(reader.messages)).toEqual([...numbered(21, 200), "end"]);
    expect(reader.messages.slice(0, -1)).toEqual(submitted.slice(20));
  });

  it("stores and delivers submits issued without awaiting in call order, around a resuming open", async () => {
    const manager = roomManagerForTest();
    const live = new RoomListenerReader(await manager.openListener("a"));
    const [first] = await submitRoomMessages(manager, "a", 1, "x");
    const submitAt = (i: number) =>
      manager.submit({ roomId: i % 3 === 0 ? "b" : "a", userId: "alice", text: `c${i}` });
    const submits: Promise<Message>[] = [];
    for (let i = 1; i <= 30; i++) submits.push(submitAt(i));
    const opening = manager.openListener("a", { since: first?.id });
    for (let i = 31; i <= 60; i++) submits.push(submitAt(i));
    const resumedReader = new RoomListenerReader(await opening);
    await Promise.all(submits);
    await manager.submit({ roomId: "a", userId: "alice", text: "end" });
    await Promise.all([live.untilText("end"), resumedReader.untilText("end")]);

    const expectedA = numbered(1, 60, "c").filter((_, i) => (i + 1) % 3 !== 0);
    expect(texts(live.messages)).toEqual(["x1", ...expectedA, "end"]);
    expect(texts(resumedReader.messages)).toEqual([...expectedA, "end"]);
    expect(texts(await manager.history("a"))).toEqual(["x1", ...expectedA, "end"]);
  });

  it("resumes from any message id of the history with exactly the messages after it", async () => {
    const manager = roomManagerForTest();
    const messages = await submitRoomMessages(manager, "lobby", 8);
    for (const [index, message] of messages.entries()) {
      const listener = await manager.openListener("lobby", { since: message.id });
      expect(await readyEventOf(listener)).toMatchObject({ recovered: true });
      const replayed: string[] = [];
      for (let i = index + 1; i < messages.length; i++) {
        const result = await listener.next();
        if (!result.done && result.value.type === "message") replayed.push(result.value.message.text);
      }
      expect(replayed).toEqual(texts(messages.slice(index + 1)));
      listener.close();
    }
  });

  it("continues with live messages right after the replay, with nothing in between", async () => {
    const manager = roomManagerForTest();
    const messages = await submitRoomMessages(manager, "lobby", 3);
    const listener = await manager.openListener("lobby", { since: messages[0]?.id });
    await readyEventOf(listener);
    await manager.submit({ roomId: "lobby", userId: "bob", text: "live" });
    expect(await roomEventsBeforeMarker(manager, listener)).toEqual([
      "message:alice:m2",
      "message:alice:m3",
      "message:bob:live",
    ]);
  });

  it("delivers the replay and live messages through nextBatch() too, without duplicates", async () => {
    const manager = roomManagerForTest();
    const messages = await submitRoomMessages(manager, "lobby", 4);
    const reader = new RoomListenerReader(
      await manager.openListener("lobby", { since: messages[1]?.id }),
      "batch",
    );
    await submitRoomMessages(manager, "lobby", 3, "live");
    await manager.submit({ roomId: "lobby", userId: "alice", text: "end" });
    await reader.untilText("end");
    expect(reader.labels).toEqual([
      "ready",
      "message:alice:m3",
      "message:alice:m4",
      "message:alice:live1",
      "message:alice:live2",
      "message:alice:live3",
      "message:alice:end",
    ]);
  });

  it("drops live messages it already replayed or that preceded it when the store announces them late", async () => {
    const store = new LateBusStore();
    const manager = roomManagerForTest({ store });
    const messages = await submitRoomMessages(manager, "lobby", 3);
    const resumed = await manager.openListener("lobby", { since: messages[0]?.id });
    const fresh = await manager.openListener("lobby");
    await manager.submit({ roomId: "lobby", userId: "alice", text: "m4" });
    store.deliver();
    const labels = async (listener: typeof resumed, count: number) => {
      const out: string[] = [];
      for (let i = 0; i < count; i++) out.push(roomEventLabel(await nextRoomEvent(listener)));
      return out;
    };
    expect(await labels(resumed, 4)).toEqual([
      "ready",
      "message:alice:m2",
      "message:alice:m3",
      "message:alice:m4",
    ]);
    expect(await labels(fresh, 2)).toEqual(["ready", "message:alice:m4"]);
    await manager.submit({ roomId: "lobby", userId: "alice", text: "end" });
    store.deliver();
    expect(await labels(resumed, 1)).toEqual(["message:alice:end"]);
    expect(await labels(fresh, 1)).toEqual(["message:alice:end"]);
  });
});
