import { describe, expect, it } from "vitest";
import type { HistorySlice, Message } from "../../../src/rooms/index.js";
import { isAheadOfHistory, planResume } from "../../../src/rooms/resume.js";

const EPOCH = "e1";
const message = (offset: number): Message => ({
  id: `${EPOCH}-${offset}`,
  roomId: "lobby",
  userId: "ann",
  text: `m${offset}`,
  sentAt: "2026-12-02T18:00:00.000Z",
});
/** What the store hands back for a read after `after`, with offsets `first..last` retained. */
const sliceAfter = (after: number, first: number, last: number, epoch = EPOCH): HistorySlice => ({
  epoch,
  messages: Array.from({ length: Math.max(0, last - Math.max(after, first - 1)) }, (_, i) =>
    message(Math.max(after, first - 1) + 1 + i),
  ),
  firstOffset: first,
  lastOffset: last,
});

describe("planResume: what a listener gets before live events (a pure function)", () => {
  it("without a cursor: ready with the room's position, recovered null, no replay", () => {
    const plan = planResume("lobby", ["ann"], undefined, sliceAfter(9, 1, 10));
    expect(plan.ready).toEqual({
      type: "ready",
      roomId: "lobby",
      members: ["ann"],
      lastId: "e1-10",
      recovered: null,
    });
    expect(plan.replay).toEqual([]);
    expect(plan.skipUpTo).toBe(10);
  });

  it("with a cursor inside history: recovered, the messages after it replayed, live ones up to the top skipped", () => {
    const plan = planResume("lobby", [], { epoch: EPOCH, offset: 7 }, sliceAfter(7, 1, 10));
    expect(plan.ready.recovered).toBe(true);
    expect(plan.replay.map((m) => m.id)).toEqual(["e1-8", "e1-9", "e1-10"]);
    expect(plan.skipUpTo).toBe(10);
  });

  it("with a cursor at the top: recovered with nothing to replay", () => {
    const plan = planResume("lobby", [], { epoch: EPOCH, offset: 10 }, sliceAfter(10, 1, 10));
    expect(plan).toMatchObject({ ready: { recovered: true, lastId: "e1-10" }, replay: [] });
  });

  it("with a cursor just before the oldest retained message: still recovered (nothing was lost)", () => {
    expect(planResume("lobby", [], { epoch: EPOCH, offset: 4 }, sliceAfter(4, 5, 10)).ready.recovered).toBe(
      true,
    );
  });

  it("with a cursor older than the retained history: not recovered, everything retained replayed", () => {
    const plan = planResume("lobby", [], { epoch: EPOCH, offset: 2 }, sliceAfter(2, 5, 10));
    expect(plan.ready.recovered).toBe(false);
    expect(plan.replay.map((m) => m.id)).toEqual(["e1-5", "e1-6", "e1-7", "e1-8", "e1-9", "e1-10"]);
  });

  it("with a cursor of another epoch: not recovered, the new epoch's history replayed", () => {
    const plan = planResume("lobby", [], { epoch: "e0", offset: 40 }, sliceAfter(0, 1, 2, "e1"));
    expect(plan.ready).toMatchObject({ recovered: false, lastId: "e1-2" });
    expect(plan.replay.map((m) => m.id)).toEqual(["e1-1", "e1-2"]);
  });

  it("in an empty room: lastId null, and a cursor of the same epoch at 0 is recovered", () => {
    expect(planResume("lobby", [], undefined, sliceAfter(0, 1, 0)).ready.lastId).toBeNull();
    expect(planResume("lobby", [], { epoch: EPOCH, offset: 0 }, sliceAfter(0, 1, 0)).ready.recovered).toBe(
      true,
    );
  });

  it("tells a cursor past the top of its own epoch (history went back in time) from every other", () => {
    expect(isAheadOfHistory({ epoch: EPOCH, offset: 11 }, sliceAfter(10, 1, 10))).toBe(true);
    expect(isAheadOfHistory({ epoch: EPOCH, offset: 10 }, sliceAfter(10, 1, 10))).toBe(false);
    expect(isAheadOfHistory({ epoch: "e0", offset: 99 }, sliceAfter(10, 1, 10))).toBe(false);
    expect(isAheadOfHistory(undefined, sliceAfter(10, 1, 10))).toBe(false);
  });
});
