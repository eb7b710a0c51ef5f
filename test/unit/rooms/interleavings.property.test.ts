/**
 * Randomized model-based test of the RoomManager: fast-check generates
 * sequences of steps over three rooms (submits, opens with and without a
 * `since` cursor, bursts of calls issued without awaiting, closes in every
 * way, deletions), runs them against a real manager, and compares every
 * listener's events with a model of what it should have seen.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type RoomListener, RoomManager, RoomNotFoundError } from "../../../src/rooms/index.js";
import { expectRoomRejection, RoomListenerReader, roomEventLabel } from "../../helpers/rooms.js";

const ROOMS = ["a", "b", "c"] as const;
const USERS = ["u1", "u2", "u3"] as const;
/** Small, so resumes regularly fall behind the retained history. */
const HISTORY_LIMIT = 6;
/** 200 runs of 20 to 40 steps: several thousand steps per CI run. */
const NUM_RUNS = 200;
const STEPS = { minLength: 20, maxLength: 40 } as const;

type Ending = "close" | "return" | "abort" | "closeListener";

interface SubmitAction {
  readonly kind: "submit";
  readonly room: number;
  readonly user: number;
}

interface OpenAction {
  readonly kind: "open";
  readonly room: number;
  readonly user: number | null;
  /** Chooses a cursor among the ids issued so far (null: open without `since`). */
  readonly cursor: number | null;
  readonly ending: Ending;
  readonly reader: "next" | "batch";
}

type Step =
  | SubmitAction
  | OpenAction
  /** Calls issued one after another without awaiting, then awaited together. */
  | { readonly kind: "burst"; readonly actions: readonly (SubmitAction | OpenAction)[] }
  /** Ends an open listener after it has read everything (proven by a marker, or by counting). */
  | { readonly kind: "close"; readonly pick: number; readonly marker: boolean }
  | { readonly kind: "delete"; readonly room: number };

const roomArb = fc.integer({ min: 0, max: ROOMS.length - 1 });
const userArb = fc.integer({ min: 0, max: USERS.length - 1 });
const submitArb: fc.Arbitrary<SubmitAction> = fc.record({
  kind: fc.constant("submit"),
  room: roomArb,
  user: userArb,
});
const openArb: fc.Arbitrary<OpenAction> = fc.record({
  kind: fc.constant("open"),
  room: roomArb,
  user: fc.option(userArb, { nil: null, freq: 4 }),
  cursor: fc.option(fc.nat(), { nil: null, freq: 3 }),
  ending: fc.constantFrom<Ending>("close", "return", "abort", "closeListener"),
  reader: fc.constantFrom<"next" | "batch">("next", "batch"),
});
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: submitArb, weight: 6 },
  { arbitrary: openArb, weight: 4 },
  {
    arbitrary: fc.record({
      kind: fc.constant("burst"),
      actions: fc.array(fc.oneof({ arbitrary: submitArb, weight: 3 }, { arbitrary: openArb, weight: 1 }), {
        minLength: 2,
        maxLength: 6,
      }),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant("close"), pick: fc.nat(), marker: fc.boolean() }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant("delete"), room: roomArb }), weight: 1 },
);

interface IssuedId {
  readonly id: string;
  readonly room: string;
  readonly epoch: number;
  readonly offset: number;
}

interface ModelMessage {
  readonly text: string;
  readonly label: string;
}

interface ModelListener {
  readonly room: string;
  readonly userId: string | undefined;
  readonly ending: Ending;
  readonly controller: AbortController | undefined;
  readonly ready: {
    readonly members: string[];
    readonly lastText: string | null;
    readonly recovered: boolean | null;
  };
  /** Labels of every event after `ready`, in order: the replay, then live events. */
  readonly expected: string[];
  state: "open" | "closed" | "deleted";
  handle: RoomListener | undefined;
  reader: RoomListenerReader | undefined;
}

interface ModelRoom {
  exists: boolean;
  /** Counts the room's lives; a new one starts whenever the room is created again. */
  epoch: number;
  /** Every message of the current life, offset = index + 1. */
  messages: ModelMessage[];
  listeners: ModelListener[];
}

/** What happened across all runs, to prove the generator reaches the interesting cases. */
const seen = {
  runs: 0,
  steps: 0,
  calls: 0,
  listeners: 0,
  recoveredTrue: 0,
  recoveredFalse: 0,
  recoveredNull: 0,
  endedByDelete: 0,
  endedByAbort: 0,
  batchReaders: 0,
  roomsReclaimed: 0,
  deletesOfMissingRooms: 0,
};

class Scenario {
  readonly manager = new RoomManager({ historyLimit: HISTORY_LIMIT });
  readonly #rooms = new Map<string, ModelRoom>(
    ROOMS.map((id) => [id, { exists: false, epoch: 0, messages: [], listeners: [] }]),
  );
  readonly #listeners: ModelListener[] = [];
  readonly #issued: IssuedId[] = [];
  /** Message text → id, filled as submits resolve. */
  readonly #ids = new Map<string, string>();
  #texts = 0;

  async run(steps: readonly Step[]): Promise<void> {
    seen.runs++;
    try {
      for (const step of steps) {
        seen.steps++;
        await this.#apply(step);
        await this.#checkRooms();
      }
      // Prove every open listener has read all it should: a marker after everything.
      for (const roomId of ROOMS) {
        if (this.#room(roomId).listeners.length > 0) await this.#sync(roomId);
      }
      for (const listener of this.#listeners) this.#checkListener(listener);
    } finally {
      await this.manager.close();
    }
  }

  async #apply(step: Step): Promise<void> {
    switch (step.kind) {
      case "submit":
        return this.#submit(ROOMS[step.room] as string, USERS[step.user] as string);
      case "open":
        return this.#open(step);
      case "burst": {
        const calls = step.actions.map((action) =>
          action.kind === "submit"
            ? this.#submit(ROOMS[action.room] as string, USERS[action.user] as string)
            : this.#open(action),
        );
        await Promise.all(calls);
        return;
      }
      case "close":
        return this.#close(step.pick, step.marker);
      case "delete":
        return this.#delete(ROOMS[step.room] as string);
    }
  }

  #room(roomId: string): ModelRoom {
    return this.#rooms.get(roomId) as ModelRoom;
  }

  /** The room as the manager will find it: created afresh (new epoch) if it does not exist. */
  #use(roomId: string): ModelRoom {
    const room = this.#room(roomId);
    if (!room.exists) {
      room.exists = true;
      room.epoch++;
      room.messages = [];
    }
    return room;
  }

  #emit(room: ModelRoom, label: string): void {
    for (const listener of room.listeners) listener.expected.push(label);
  }

  /** Applies the submit to the model at call time and resolves once the manager stored it. */
  #submit(roomId: string, userId: string): Promise<void> {
    seen.calls++;
    const text = `${userId === "mk" ? "mk" : "t"}${++this.#texts}`;
    const room = this.#use(roomId);
    const epoch = room.epoch;
    const offset = room.messages.length + 1;
    const label = `message:${userId}:${text}`;
    room.messages.push({ text, label });
    this.#emit(room, label);
    return this.manager.submit({ roomId, userId, text }).then((message) => {
      expect(message).toMatchObject({ roomId, userId, text });
      this.#ids.set(text, message.id);
      this.#issued.push({ id: message.id, room: roomId, epoch, offset });
    });
  }

  #pickCursor(roomId: string, choice: number | null): IssuedId | undefined {
    if (choice === null || this.#issued.length === 0) return undefined;
    // Mostly ids of the same room (current or earlier lives, retained or not), sometimes any room's.
    const sameRoom = this.#issued.filter((issued) => issued.room === roomId);
    const pool = choice % 4 === 0 || sameRoom.length === 0 ? this.#issued : sameRoom;
    return pool[Math.floor(choice / 4) % pool.length];
  }

  #open(action: OpenAction): Promise<void> {
    seen.calls++;
    seen.listeners++;
    const roomId = ROOMS[action.room] as string;
    const userId = action.user === null ? undefined : USERS[action.user];
    const cursor = this.#pickCursor(roomId, action.cursor);
    const room = this.#use(roomId);

    if (userId !== undefined && !room.listeners.some((l) => l.userId === userId))
      this.#emit(room, `joined:${userId}`);
    const last = room.messages.length;
    const first = Math.max(1, last - HISTORY_LIMIT + 1);
    let recovered: boolean | null = null;
    let replay: ModelMessage[] = [];
    if (cursor !== undefined) {
      recovered =
        cursor.room === roomId &&
        cursor.epoch === room.epoch &&
        cursor.offset >= first - 1 &&
        cursor.offset <= last;
      replay = recovered ? room.messages.slice(cursor.offset) : room.messages.slice(first - 1);
    }
    if (recovered === true) seen.recoveredTrue++;
    else if (recovered === false) seen.recoveredFalse++;
    else seen.recoveredNull++;
    if (action.reader === "batch") seen.batchReaders++;

    const members = [
      ...new Set([...room.listeners.map((l) => l.userId), userId].filter((u) => u !== undefined)),
    ].sort();
    const controller = action.ending === "abort" ? new AbortController() : undefined;
    const listener: ModelListener = {
      room: roomId,
      userId,
      ending: action.ending,
      controller,
      ready: { members, lastText: room.messages.at(-1)?.text ?? null, recovered },
      expected: replay.map((m) => m.label),
      state: "open",
      handle: undefined,
      reader: undefined,
    };
    room.listeners.push(listener);
    this.#listeners.push(listener);
    return this.manager
      .openListener(roomId, { userId, since: cursor?.id, signal: controller?.signal })
      .then((handle) => {
        listener.handle = handle;
        listener.reader = new RoomListenerReader(handle, action.reader);
      });
  }

  /** Submits a marker to the room and waits until each of its open listeners has read it. */
  async #sync(roomId: string): Promise<void> {
    const text = `mk${this.#texts + 1}`;
    await this.#submit(roomId, "mk");
    await Promise.all(this.#room(roomId).listeners.map((l) => l.reader?.untilText(text)));
  }

  async #close(pick: number, marker: boolean): Promise<void> {
    const open = this.#listeners.filter((l) => l.state === "open");
    const listener = open[pick % Math.max(1, open.length)];
    if (listener === undefined) return;
    const { handle, reader } = listener;
    if (handle === undefined || reader === undefined) throw new Error("listener without a handle");
    // Closing discards what a listener has not read: let it read everything first.
    if (marker) await this.#sync(listener.room);
    else await reader.until((events) => events.length >= 1 + listener.expected.length);

    switch (listener.ending) {
      case "close":
        handle.close();
        break;
      case "return":
        expect(await handle.return()).toEqual({ done: true, value: undefined });
        break;
      case "abort":
        seen.endedByAbort++;
        listener.controller?.abort();
        break;
      case "closeListener":
        this.manager.closeListener(handle);
        break;
    }
    // The manager's release is queued from a callback on `closed` registered at open:
    // the checks after this step run behind it.
    await handle.closed;
    await reader.finished;

    const room = this.#room(listener.room);
    listener.state = "closed";
    room.listeners = room.listeners.filter((l) => l !== listener);
    const { userId } = listener;
    if (userId !== undefined && !room.listeners.some((l) => l.userId === userId))
      this.#emit(room, `left:${userId}`);
    if (room.listeners.length === 0 && room.messages.length === 0) {
      room.exists = false;
      seen.roomsReclaimed++;
    }
  }

  async #delete(roomId: string): Promise<void> {
    seen.calls++;
    const room = this.#room(roomId);
    if (!room.exists) {
      seen.deletesOfMissingRooms++;
      await expectRoomRejection(this.manager.deleteRoom(roomId), RoomNotFoundError, { roomId });
      return;
    }
    const ended = room.listeners;
    this.#emit(room, "deleted");
    for (const listener of ended) listener.state = "deleted";
    seen.endedByDelete += ended.length;
    room.exists = false;
    room.listeners = [];
    room.messages = [];
    await this.manager.deleteRoom(roomId);
    await Promise.all(ended.map((l) => l.reader?.finished));
  }

  /** Room state, presence and history agree with the model. */
  async #checkRooms(): Promise<void> {
    for (const roomId of ROOMS) {
      const room = this.#room(roomId);
      if (!room.exists) {
        await expectRoomRejection(this.manager.getRoom(roomId), RoomNotFoundError);
        continue;
      }
      const retained = room.messages.slice(-HISTORY_LIMIT).map((m) => m.text);
      const lastText = room.messages.at(-1)?.text;
      expect(await this.manager.getRoom(roomId)).toMatchObject({
        roomId,
        listeners: room.listeners.length,
        members: [...new Set(room.listeners.map((l) => l.userId).filter((u) => u !== undefined))].sort(),
        messageCount: retained.length,
        lastMessageId: lastText === undefined ? null : this.#ids.get(lastText),
      });
      expect((await this.manager.history(roomId, { limit: HISTORY_LIMIT })).map((m) => m.text)).toEqual(
        retained,
      );
    }
    const existing = ROOMS.filter((roomId) => this.#room(roomId).exists);
    expect((await this.manager.listRooms()).map((r) => r.roomId)).toEqual(existing);
  }

  /** The listener saw ready, then exactly the model's events: no gap, no duplicate, in order. */
  #checkListener(listener: ModelListener): void {
    const reader = listener.reader;
    if (reader === undefined) throw new Error("listener without a reader");
    const [ready, ...rest] = reader.events;
    const { lastText } = listener.ready;
    expect(ready).toEqual({
      type: "ready",
      roomId: listener.room,
      members: listener.ready.members,
      lastId: lastText === null ? null : this.#ids.get(lastText),
      recovered: listener.ready.recovered,
    });
    expect(rest.map(roomEventLabel)).toEqual(listener.expected);
    for (const event of rest) {
      if (event.type === "message") {
        expect(event.message.roomId).toBe(listener.room);
        expect(event.message.id).toBe(this.#ids.get(event.message.text));
      }
    }
    expect(reader.error).toBeUndefined();
    expect(reader.ended).toBe(listener.state !== "open");
    if (listener.state === "deleted") expect(rest.at(-1)?.type).toBe("deleted");
    else expect(rest.some((event) => event.type === "deleted")).toBe(false);
  }
}

describe("RoomManager: random interleavings (model-based)", () => {
  it("gives every listener the ready, replay and live events the model predicts, with presence and history consistent", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, STEPS), async (steps) => {
        await new Scenario().run(steps);
      }),
      // A guard against a hang (a listener that never gets its marker), not a time assertion.
      { numRuns: NUM_RUNS, plugins: [fc.timeout(5_000)] },
    );
    if (process.env.ROOMS_PROPERTY_STATS !== undefined) console.info(JSON.stringify(seen));
    // The generator must reach the cases this test exists for.
    expect(seen.runs).toBeGreaterThanOrEqual(NUM_RUNS);
    expect(seen.steps).toBeGreaterThanOrEqual(NUM_RUNS * STEPS.minLength);
    for (const key of [
      "recoveredTrue",
      "recoveredFalse",
      "recoveredNull",
      "endedByDelete",
      "endedByAbort",
      "batchReaders",
      "roomsReclaimed",
      "deletesOfMissingRooms",
    ] as const) {
      expect(seen[key], key).toBeGreaterThan(0);
    }
  });
});
