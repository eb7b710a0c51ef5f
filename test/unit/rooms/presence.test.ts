import { describe, expect, it } from "vitest";
import { isCollected } from "../../helpers/heap.js";
import {
  closeRoomListener,
  nextRoomEvent,
  readyEventOf,
  roomEventLabel,
  roomEventsBeforeMarker,
  roomManagerForTest,
} from "../../helpers/rooms.js";

describe("RoomManager: presence", () => {
  it("announces joined once for a user with two tabs, and left only when both have closed", async () => {
    const manager = roomManagerForTest();
    const observer = await manager.openListener("lobby");
    await readyEventOf(observer);
    const tab1 = await manager.openListener("lobby", { userId: "bob" });
    const tab2 = await manager.openListener("lobby", { userId: "bob" });
    expect(await roomEventsBeforeMarker(manager, observer)).toEqual(["joined:bob"]);

    await closeRoomListener(tab1);
    expect(await roomEventsBeforeMarker(manager, observer)).toEqual([]);
    expect((await manager.getRoom("lobby")).members).toEqual(["bob"]);

    await closeRoomListener(tab2);
    expect(await roomEventsBeforeMarker(manager, observer)).toEqual(["left:bob"]);
    expect((await manager.getRoom("lobby")).members).toEqual([]);
  });

  it("does not send the joining listener its own joined event", async () => {
    const manager = roomManagerForTest();
    const bob = await manager.openListener("lobby", { userId: "bob" });
    expect(await readyEventOf(bob)).toMatchObject({ members: ["bob"] });
    expect(await roomEventsBeforeMarker(manager, bob)).toEqual([]);
  });

  it("does not announce a user's second tab to the first one", async () => {
    const manager = roomManagerForTest();
    const tab1 = await manager.openListener("lobby", { userId: "bob" });
    await readyEventOf(tab1);
    const tab2 = await manager.openListener("lobby", { userId: "bob" });
    expect(await readyEventOf(tab2)).toMatchObject({ members: ["bob"] });
    expect(await roomEventsBeforeMarker(manager, tab1)).toEqual([]);
  });

  it("announces other users joining and leaving to everyone still listening", async () => {
    const manager = roomManagerForTest();
    const alice = await manager.openListener("lobby", { userId: "alice" });
    await readyEventOf(alice);
    const bob = await manager.openListener("lobby", { userId: "bob" });
    expect(await readyEventOf(bob)).toMatchObject({ members: ["alice", "bob"] });
    expect(roomEventLabel(await nextRoomEvent(alice))).toBe("joined:bob");
    await closeRoomListener(alice);
    expect(await roomEventsBeforeMarker(manager, bob)).toEqual(["left:alice"]);
  });

  it("keeps presence events out of history", async () => {
    const manager = roomManagerForTest();
    await manager.submit({ roomId: "lobby", userId: "alice", text: "hi" });
    await closeRoomListener(await manager.openListener("lobby", { userId: "bob" }));
    expect((await manager.history("lobby")).map((m) => m.text)).toEqual(["hi"]);
  });

  it("counts anonymous listeners in listeners but never as members, and announces nothing for them", async () => {
    const manager = roomManagerForTest();
    const observer = await manager.openListener("lobby", { userId: "bob" });
    await readyEventOf(observer);
    const anonymous1 = await manager.openListener("lobby");
    const anonymous2 = await manager.openListener("lobby", { userId: undefined });
    expect(await manager.getRoom("lobby")).toMatchObject({ listeners: 3, members: ["bob"] });
    await closeRoomListener(anonymous1);
    await closeRoomListener(anonymous2);
    expect(await manager.getRoom("lobby")).toMatchObject({ listeners: 1, members: ["bob"] });
    expect(await roomEventsBeforeMarker(manager, observer)).toEqual([]);
  });

  it("reports listeners and sorted members in getRoom and listRooms", async () => {
    const manager = roomManagerForTest();
    await manager.openListener("lobby", { userId: "zed" });
    await manager.openListener("lobby", { userId: "amy" });
    await manager.openListener("lobby", { userId: "amy" });
    await manager.openListener("lobby");
    await manager.openListener("other", { userId: "kim" });
    expect(await manager.getRoom("lobby")).toMatchObject({
      roomId: "lobby",
      listeners: 4,
      members: ["amy", "zed"],
    });
    expect((await manager.listRooms()).map((r) => [r.roomId, r.listeners, r.members])).toEqual([
      ["lobby", 4, ["amy", "zed"]],
      ["other", 1, ["kim"]],
    ]);
  });

  it("keeps presence per room: the same user in two rooms joins and leaves each on its own", async () => {
    const manager = roomManagerForTest();
    const observerA = await manager.openListener("a");
    const observerB = await manager.openListener("b");
    await readyEventOf(observerA);
    await readyEventOf(observerB);
    const inA = await manager.openListener("a", { userId: "bob" });
    await manager.openListener("b", { userId: "bob" });
    await closeRoomListener(inA);
    expect(await roomEventsBeforeMarker(manager, observerA)).toEqual(["joined:bob", "left:bob"]);
    expect(await roomEventsBeforeMarker(manager, observerB)).toEqual(["joined:bob"]);
    expect((await manager.getRoom("b")).members).toEqual(["bob"]);
  });

  it("keeps no listener's member list once its ready event is delivered (memory grows with listeners, not their square)", async () => {
    const manager = roomManagerForTest();
    const pulled = await manager.openListener("lobby", { userId: "ann" });
    const pulledMembers = new WeakRef((await readyEventOf(pulled)).members);
    const pushed = await manager.openListener("lobby", { userId: "bob" });
    const pushedMembers = await new Promise<WeakRef<readonly string[]>>((resolve) =>
      pushed.consume((events) => {
        const [first] = events;
        if (first?.type === "ready") resolve(new WeakRef(first.members));
      }),
    );
    expect(await isCollected(pulledMembers)).toBe(true);
    expect(await isCollected(pushedMembers)).toBe(true);
    expect((await manager.getRoom("lobby")).members).toEqual(["ann", "bob"]);
    await closeRoomListener(pulled);
    await closeRoomListener(pushed);
  });
});
