/**
 * Randomized interleavings over two or three RoomManagers sharing one store
 * backend (each its own store instance, as separate processes have): submits, opens (with and without cursors) and
 * closes on random nodes, bursts issued without awaiting. Afterwards every
 * listener on every node must have seen a contiguous, duplicate-free
 * sequence that starts where its `ready` said, and one id must mean one
 * message everywhere.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Message, parseCursor, RoomManager, type RoomStore } from "../../src/rooms/index.js";
import { RoomListenerReader } from "../helpers/rooms.js";

/** Store instances on one fresh namespace of the backend, and how to drop that namespace. */
export interface SharedStores {
  readonly stores: readonly RoomStore[];
  readonly drop: () => Promise<void>;
}

const ROOMS = ["a", "b"] as const;

type Step =
  | { readonly kind: "submit"; readonly node: number; readonly room: number }
  | { readonly kind: "open"; readonly node: number; readonly room: number; readonly cursor: number | null }
  | { readonly kind: "burst"; readonly node: number; readonly room: number; readonly count: number }
  | { readonly kind: "close"; readonly pick: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant("submit"), node: fc.nat(2), room: fc.nat(1) }), weight: 4 },
  {
    arbitrary: fc.record({
      kind: fc.constant("open"),
      node: fc.nat(2),
      room: fc.nat(1),
      cursor: fc.option(fc.nat(), { nil: null, freq: 2 }),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("burst"),
      node: fc.nat(2),
      room: fc.nat(1),
      count: fc.integer({ min: 2, max: 8 }),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant("close"), pick: fc.nat() }), weight: 1 },
);

interface Opened {
  readonly roomId: string;
  readonly reader: RoomListenerReader;
  readonly cursor: string | undefined;
}

async function runScenario(
  connect: (nodeCount: number) => Promise<SharedStores>,
  nodeCount: number,
  steps: readonly Step[],
): Promise<void> {
  const { stores, drop } = await connect(nodeCount);
  const nodes = stores.map((store) => new RoomManager({ store }));
  const opened: Opened[] = [];
  const issued: Message[] = [];
  const node = (i: number) => nodes[i % nodeCount] as RoomManager;
  let counter = 0;
  const submit = (n: number, room: number) =>
    node(n)
      .submit({ roomId: ROOMS[room] as string, userId: `u${n % nodeCount}`, text: `t${++counter}` })
      .then((message) => {
        issued.push(message);
      });
  try {
    for (const step of steps) {
      if (step.kind === "submit") await submit(step.node, step.room);
      else if (step.kind === "burst") {
        await Promise.all(Array.from({ length: step.count }, () => submit(step.node, step.room)));
      } else if (step.kind === "open") {
        const roomId = ROOMS[step.room] as string;
        const inRoom = issued.filter((m) => m.roomId === roomId);
        const cursor =
          step.cursor === null || inRoom.length === 0 ? undefined : inRoom[step.cursor % inRoom.length]?.id;
        const listener = await node(step.node).openListener(
          roomId,
          cursor === undefined ? {} : { since: cursor },
        );
        opened.push({
          roomId,
          reader: new RoomListenerReader(listener, step.node % 2 === 0 ? "next" : "batch"),
          cursor,
        });
      } else if (opened.length > 0) {
        opened[step.pick % opened.length]?.reader.listener.close();
      }
    }
    // A last message per room, through the first node: every open listener must reach it.
    const finals = new Map<string, string>();
    for (const roomId of ROOMS) {
      const text = `final-${roomId}`;
      issued.push(await node(0).submit({ roomId, userId: "end", text }));
      finals.set(roomId, text);
    }
    for (const { roomId, reader } of opened) await reader.untilText(finals.get(roomId) as string);

    const byId = new Map(issued.map((m) => [m.id, m]));
    for (const { reader, cursor } of opened) {
      expect(reader.error).toBeUndefined();
      const ready = reader.events[0];
      if (ready?.type !== "ready") throw new Error("the first event was not ready");
      // History (1000 messages) holds every cursor these runs issue.
      expect(ready.recovered).toBe(cursor === undefined ? null : true);
      const offsets = reader.messages.map((m) => parseCursor(m.id).offset);
      const from = cursor ?? ready.lastId;
      const start = from === undefined || from === null ? 0 : parseCursor(from).offset;
      expect(offsets).toEqual(Array.from({ length: offsets.length }, (_, i) => start + i + 1));
      for (const message of reader.messages) expect(byId.get(message.id)).toEqual(message);
    }
  } finally {
    for (const { reader } of opened) reader.listener.close();
    await Promise.all(nodes.map((n) => n.close()));
    await Promise.all(stores.map((s) => s.close()));
    await drop();
  }
}

/** The property, over the stores `connect` makes for each run. */
export function describeSharedManagersProperty(
  backend: string,
  connect: (nodeCount: number) => Promise<SharedStores>,
): void {
  describe(`RoomManagers sharing one ${backend}: randomized interleavings`, () => {
    it("give every listener on every node a contiguous, duplicate-free sequence with the ids every node agrees on", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 2, max: 3 }),
          fc.array(stepArb, { minLength: 10, maxLength: 30 }),
          (nodeCount, steps) => runScenario(connect, nodeCount, steps),
        ),
        { numRuns: 30 },
      );
    }, 120_000);
  });
}
