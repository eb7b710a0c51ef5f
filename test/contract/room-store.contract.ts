/**
 * The RoomStore contract: what the RoomManager relies on from any store, the
 * in-memory one today and a shared (Redis) one later. Written against the
 * interface only, and safe to run against a shared backend:
 *
 * - every test uses room ids under a prefix of its own, and looks only at
 *   those rooms and their bus events;
 * - bus events are awaited, never assumed synchronous: a store may announce an
 *   event after the call that caused it has resolved;
 * - a bus may skip the messages of a room deleted or rotated before it
 *   delivered them (one that reads messages from history, as PostgreSQL's
 *   does, finds them gone with the room), so tests that delete or rotate wait
 *   for the messages' events first;
 * - "nothing was announced" is proven with a sentinel: a marker message is
 *   appended to the same room (the bus keeps per-room order) and the events
 *   seen before it are compared.
 *
 * A store passes by adding one line to a test file:
 *
 *     describeRoomStoreContract("RedisRoomStore", (o) => new RedisRoomStore({ ...o, url }));
 */
import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseCursor } from "../../src/rooms/cursor.js";
import type { BusEvent, BusSubscription, Message, RoomStore } from "../../src/rooms/index.js";

/** What the suite needs the store under test to be configured with. */
export interface RoomStoreContractOptions {
  /** Messages kept per room. The suite passes a small number to exercise trimming. */
  readonly historyLimit: number;
}

/** The history limit the suite configures; trimming tests append past it. */
const HISTORY_LIMIT = 5;

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A short label for a bus event, for readable assertions. */
function label(event: BusEvent): string {
  if (event.type === "message") return `message:${event.message.text}@${event.offset}`;
  if (event.type === "deleted" || event.type === "resync") return `${event.type}:${event.roomId}`;
  return `${event.type}:${event.userId}`;
}

interface BusWaiter {
  readonly ready: () => boolean;
  readonly resolve: () => void;
}

/** Records the bus events of the rooms it watches, and waits for them without timers. */
class BusRecorder {
  readonly events: BusEvent[] = [];
  readonly #subscriptions: BusSubscription[] = [];
  #waiters: BusWaiter[] = [];
  /** How many events earlier calls to `sinceLastCheck()`/`beforeMarker()` already handed out. */
  #checked = 0;

  /** Subscribes to each room; resolves once every subscription is in place. */
  static async watching(store: RoomStore, roomIds: readonly string[]): Promise<BusRecorder> {
    const recorder = new BusRecorder();
    for (const roomId of roomIds) {
      recorder.#subscriptions.push(await store.subscribe(roomId, (event) => recorder.#record(event)));
    }
    return recorder;
  }

  async unsubscribe(): Promise<void> {
    await Promise.all(this.#subscriptions.splice(0).map((subscription) => subscription.unsubscribe()));
  }

  /** Resolves once `condition` holds over the recorded events. */
  until(condition: (events: readonly BusEvent[]) => boolean): Promise<void> {
    if (condition(this.events)) return Promise.resolve();
    return new Promise((resolve) => {
      this.#waiters.push({ ready: () => condition(this.events), resolve });
    });
  }

  /** Waits for `count` events in total. */
  count(count: number): Promise<void> {
    return this.until((events) => events.length >= count);
  }

  /** The labels of the events recorded since the previous check. */
  sinceLastCheck(): string[] {
    const out = this.events.slice(this.#checked).map(label);
    this.#checked = this.events.length;
    return out;
  }

  /**
   * The sentinel: appends a marker message to `roomId`, waits for its bus event,
   * and returns the labels of what arrived since the previous check, before the
   * marker. The marker itself is consumed.
   */
  async beforeMarker(store: RoomStore, roomId: string): Promise<string[]> {
    const text = `marker-${randomBytes(4).toString("hex")}`;
    const isMarker = (event: BusEvent) => event.type === "message" && event.message.text === text;
    await store.append({ roomId, userId: "marker", text, sentAt: new Date().toISOString() });
    await this.until((events) => events.some(isMarker));
    const index = this.events.findIndex(isMarker);
    const out = this.events.slice(this.#checked, index).map(label);
    this.#checked = index + 1;
    return out;
  }

  #record(event: BusEvent): void {
    this.events.push(event);
    const still: BusWaiter[] = [];
    for (const waiter of this.#waiters) {
      if (waiter.ready()) waiter.resolve();
      else still.push(waiter);
    }
    this.#waiters = still;
  }
}

/**
 * Runs the RoomStore contract against the stores `createStore` makes (a fresh
 * one per test, closed after it). `cleanup` runs after each test, before the
 * store is closed (e.g. to drop a shared backend's keys).
 */
export function describeRoomStoreContract(
  name: string,
  createStore: (options: RoomStoreContractOptions) => Promise<RoomStore> | RoomStore,
  cleanup?: (store: RoomStore) => Promise<void> | void,
): void {
  describe(`RoomStore contract: ${name}`, () => {
    let store: RoomStore;
    let bus: BusRecorder;
    let prefix: string;
    /** A room id of this test's own: `room("a")`. */
    const room = (suffix: string) => `${prefix}-${suffix}`;
    /** The rooms whose bus every test records. */
    const watched = () => ["a", "b", "c", "none"].map(room);
    /** Opens a listener and returns its id and the room's epoch. */
    const listen = async (roomId: string, userId: string | undefined) => store.openListener(roomId, userId);
    const draft = (roomId: string, text: string, userId = "alice") => ({
      roomId,
      userId,
      text,
      sentAt: new Date().toISOString(),
    });
    const appendTexts = async (roomId: string, texts: readonly string[]): Promise<Message[]> => {
      const out: Message[] = [];
      for (const text of texts) out.push(await store.append(draft(roomId, text)));
      return out;
    };
    const epochOf = async (roomId: string): Promise<string> => {
      const slice = await store.read(roomId, { limit: 1 });
      if (slice === undefined) throw new Error(`no room ${roomId}`);
      return slice.epoch;
    };
    const texts = (messages: readonly Message[] | undefined) => messages?.map((m) => m.text);
    const numbered = (count: number) => Array.from({ length: count }, (_, i) => `m${i + 1}`);

    beforeEach(async () => {
      prefix = `contract-${randomBytes(5).toString("hex")}`;
      store = await createStore({ historyLimit: HISTORY_LIMIT });
      bus = await BusRecorder.watching(store, watched());
    });

    afterEach(async () => {
      await bus.unsubscribe();
      try {
        await cleanup?.(store);
      } finally {
        await store.close();
      }
    });

    describe("append", () => {
      it("assigns offsets 1, 2, 3 in a room and announces each message with its offset", async () => {
        const stored = await appendTexts(room("a"), ["one", "two", "three"]);
        await bus.count(3);
        expect(bus.sinceLastCheck()).toEqual(["message:one@1", "message:two@2", "message:three@3"]);
        expect(bus.events.map((e) => (e.type === "message" ? e.message : undefined))).toEqual(stored);
        expect((await store.read(room("a"), { limit: 10 }))?.lastOffset).toBe(3);
      });

      it("numbers each room's messages on its own, with ids that differ between rooms", async () => {
        const [a1] = await appendTexts(room("a"), ["a1"]);
        const [b1, b2] = await appendTexts(room("b"), ["b1", "b2"]);
        const [a2] = await appendTexts(room("a"), ["a2"]);
        await bus.count(4);
        // The bus orders each room's events; rooms are independent of each other.
        const ofRoom = (roomId: string) =>
          bus.events.filter((e) => e.type === "message" && e.message.roomId === roomId).map(label);
        expect(ofRoom(room("a"))).toEqual(["message:a1@1", "message:a2@2"]);
        expect(ofRoom(room("b"))).toEqual(["message:b1@1", "message:b2@2"]);
        const ids = [a1, a2, b1, b2].map((m) => m?.id);
        expect(new Set(ids).size).toBe(4);
        expect(await epochOf(room("a"))).not.toBe(await epochOf(room("b")));
      });

      it("makes each id a cursor of the room's epoch and the message's offset", async () => {
        const stored = await appendTexts(room("a"), ["one", "two"]);
        const epoch = await epochOf(room("a"));
        expect(stored.map((m) => parseCursor(m.id))).toEqual([
          { epoch, offset: 1 },
          { epoch, offset: 2 },
        ]);
      });

      it("stores the draft's room, user, text and time unchanged, with exactly the message fields", async () => {
        const sentAt = "2024-02-29T23:59:59.123Z";
        const text = "  héllo\n<b>wörld</b> 👋 ";
        const message = await store.append({ roomId: room("a"), userId: "Zoë", text, sentAt });
        expect(Object.keys(message).sort()).toEqual(["id", "roomId", "sentAt", "text", "userId"]);
        expect(message).toEqual({ id: message.id, roomId: room("a"), userId: "Zoë", text, sentAt });
        expect(typeof message.id).toBe("string");
        expect((await store.read(room("a"), { limit: 1 }))?.messages).toEqual([message]);
      });

      it("creates the room when it does not exist yet", async () => {
        expect(await store.getRoom(room("a"))).toBeUndefined();
        const message = await store.append(draft(room("a"), "hi"));
        expect(await store.getRoom(room("a"))).toMatchObject({
          roomId: room("a"),
          messageCount: 1,
          lastMessageId: message.id,
        });
      });
    });

    describe("the bus", () => {
      it("announces every event to every subscriber, in the same order", async () => {
        const second = await BusRecorder.watching(store, watched());
        try {
          const bob = await listen(room("a"), "bob");
          await appendTexts(room("a"), ["one", "two"]);
          await Promise.all([bus.count(3), second.count(3)]);
          await store.closeListener(room("a"), bob.listenerId);
          await store.deleteRoom(room("a"));
          await bus.count(5);
          await second.count(5);
          const expected = [
            "joined:bob",
            "message:one@1",
            "message:two@2",
            "left:bob",
            `deleted:${room("a")}`,
          ];
          expect(bus.sinceLastCheck()).toEqual(expected);
          expect(second.sinceLastCheck()).toEqual(expected);
        } finally {
          await second.unsubscribe();
        }
      });

      it("stops announcing to a subscriber once it unsubscribed, and only to it", async () => {
        const leaving = await BusRecorder.watching(store, watched());
        await appendTexts(room("a"), ["before"]);
        await leaving.count(1);
        await leaving.unsubscribe();
        await appendTexts(room("a"), ["after"]);
        expect(await bus.beforeMarker(store, room("a"))).toEqual(["message:before@1", "message:after@2"]);
        expect(leaving.sinceLastCheck()).toEqual(["message:before@1"]);
      });
    });

    describe("read", () => {
      it("reads the retained history oldest first, with firstOffset and lastOffset", async () => {
        const stored = await appendTexts(room("a"), numbered(3));
        const slice = await store.read(room("a"), { limit: 10 });
        expect(slice).toEqual({
          epoch: await epochOf(room("a")),
          messages: stored,
          firstOffset: 1,
          lastOffset: 3,
        });
      });

      it("reads at most limit messages after afterOffset, oldest first", async () => {
        await appendTexts(room("a"), numbered(5));
        expect(texts((await store.read(room("a"), { afterOffset: 1, limit: 2 }))?.messages)).toEqual([
          "m2",
          "m3",
        ]);
        expect(texts((await store.read(room("a"), { afterOffset: 3, limit: 10 }))?.messages)).toEqual([
          "m4",
          "m5",
        ]);
        expect(texts((await store.read(room("a"), { afterOffset: 5, limit: 10 }))?.messages)).toEqual([]);
        expect(texts((await store.read(room("a"), { afterOffset: 0, limit: 1 }))?.messages)).toEqual(["m1"]);
      });

      it("reads the oldest limit messages without latest, and the newest with it", async () => {
        await appendTexts(room("a"), numbered(4));
        expect(texts((await store.read(room("a"), { limit: 2 }))?.messages)).toEqual(["m1", "m2"]);
        expect(texts((await store.read(room("a"), { limit: 2, latest: true }))?.messages)).toEqual([
          "m3",
          "m4",
        ]);
        expect(texts((await store.read(room("a"), { limit: 9, latest: true }))?.messages)).toEqual(
          numbered(4),
        );
      });

      it("reads an empty history as firstOffset = lastOffset + 1 = 1", async () => {
        await store.ensureRoom(room("a"));
        expect(await store.read(room("a"), { limit: 10 })).toEqual({
          epoch: await epochOf(room("a")),
          messages: [],
          firstOffset: 1,
          lastOffset: 0,
        });
      });

      it("answers undefined when reading a room that does not exist, without creating it", async () => {
        expect(await store.read(room("none"), { limit: 10 })).toBeUndefined();
        expect(await store.getRoom(room("none"))).toBeUndefined();
      });
    });

    describe("history trimming", () => {
      it(`keeps only the last historyLimit (${HISTORY_LIMIT}) messages, offsets unchanged`, async () => {
        const stored = await appendTexts(room("a"), numbered(HISTORY_LIMIT + 3));
        const slice = await store.read(room("a"), { limit: 100 });
        expect(slice?.firstOffset).toBe(4);
        expect(slice?.lastOffset).toBe(HISTORY_LIMIT + 3);
        expect(slice?.messages).toEqual(stored.slice(3));
        expect(await store.getRoom(room("a"))).toMatchObject({
          messageCount: HISTORY_LIMIT,
          lastMessageId: stored.at(-1)?.id,
        });
      });

      it("reads from the oldest retained message when afterOffset was trimmed away", async () => {
        await appendTexts(room("a"), numbered(HISTORY_LIMIT + 3));
        expect(texts((await store.read(room("a"), { afterOffset: 1, limit: 2 }))?.messages)).toEqual([
          "m4",
          "m5",
        ]);
        expect(texts((await store.read(room("a"), { afterOffset: 6, limit: 9 }))?.messages)).toEqual([
          "m7",
          "m8",
        ]);
        expect(texts((await store.read(room("a"), { limit: 2, latest: true }))?.messages)).toEqual([
          "m7",
          "m8",
        ]);
        expect(texts((await store.read(room("a"), { limit: 2 }))?.messages)).toEqual(["m4", "m5"]);
      });

      it("keeps trimming correctly over many times the limit", async () => {
        const stored = await appendTexts(room("a"), numbered(HISTORY_LIMIT * 7 + 2));
        const slice = await store.read(room("a"), { limit: 100 });
        expect(slice?.messages).toEqual(stored.slice(-HISTORY_LIMIT));
        expect(slice?.firstOffset).toBe(stored.length - HISTORY_LIMIT + 1);
        expect(slice?.lastOffset).toBe(stored.length);
        const after = await store.read(room("a"), { afterOffset: stored.length - 2, limit: 100 });
        expect(after?.messages).toEqual(stored.slice(-2));
      });
    });

    describe("deleteRoom", () => {
      it("announces deleted, drops the history and forgets the room", async () => {
        await appendTexts(room("a"), ["one"]);
        await store.ensureRoom(room("b"));
        await bus.count(1);
        expect(await store.deleteRoom(room("a"))).toBe(true);
        await bus.count(2);
        expect(bus.sinceLastCheck()).toEqual(["message:one@1", `deleted:${room("a")}`]);
        expect(await store.getRoom(room("a"))).toBeUndefined();
        expect(await store.read(room("a"), { limit: 10 })).toBeUndefined();
        const listed = (await store.listRooms()).map((r) => r.roomId).filter((id) => id.startsWith(prefix));
        expect(listed).toEqual([room("b")]);
      });

      it("answers false for a room that does not exist, announcing nothing", async () => {
        expect(await store.deleteRoom(room("none"))).toBe(false);
        expect(await bus.beforeMarker(store, room("none"))).toEqual([]);
      });

      it("starts a new epoch when a deleted room is used again: offset 1 again, under a new id", async () => {
        const [old] = await appendTexts(room("a"), ["old"]);
        const oldEpoch = await epochOf(room("a"));
        await bus.count(1);
        await store.deleteRoom(room("a"));
        const { epoch: newEpoch } = await listen(room("a"), undefined);
        expect(newEpoch).not.toBe(oldEpoch);
        const [fresh] = await appendTexts(room("a"), ["new"]);
        expect(fresh?.id).not.toBe(old?.id);
        expect(fresh === undefined ? undefined : parseCursor(fresh.id)).toEqual({
          epoch: newEpoch,
          offset: 1,
        });
        const slice = await store.read(room("a"), { limit: 10 });
        expect(slice).toEqual({ epoch: newEpoch, messages: [fresh], firstOffset: 1, lastOffset: 1 });
        await bus.count(3);
        expect(bus.sinceLastCheck()).toEqual(["message:old@1", `deleted:${room("a")}`, "message:new@1"]);
      });
    });

    describe("listeners and presence", () => {
      it("creates the room on openListener and returns the epoch and top offset that read reports", async () => {
        const opened = await listen(room("a"), "bob");
        expect(opened).toMatchObject({ epoch: await epochOf(room("a")), lastOffset: 0, members: ["bob"] });
        await appendTexts(room("a"), ["one", "two"]);
        expect(await listen(room("a"), undefined)).toMatchObject({ lastOffset: 2, members: ["bob"] });
        expect(await store.getRoom(room("a"))).toMatchObject({ listeners: 2, members: ["bob"] });
      });

      it("gives every listener an id of its own", async () => {
        const ids = new Set<string>();
        for (let i = 0; i < 5; i++) ids.add((await listen(room("a"), "bob")).listenerId);
        ids.add((await listen(room("b"), "bob")).listenerId);
        expect(ids.size).toBe(6);
      });

      it("announces joined on a user's first listener only, and counts every listener", async () => {
        await listen(room("a"), "bob");
        await listen(room("a"), "bob");
        await listen(room("a"), "alice");
        expect(await store.getRoom(room("a"))).toMatchObject({ listeners: 3, members: ["alice", "bob"] });
        expect(await bus.beforeMarker(store, room("a"))).toEqual(["joined:bob", "joined:alice"]);
      });

      it("announces left only when a user's last listener is closed", async () => {
        const bob1 = await listen(room("a"), "bob");
        const bob2 = await listen(room("a"), "bob");
        await listen(room("a"), "carol");
        expect(await bus.beforeMarker(store, room("a"))).toEqual(["joined:bob", "joined:carol"]);
        await store.closeListener(room("a"), bob1.listenerId);
        expect(await store.getRoom(room("a"))).toMatchObject({ listeners: 2, members: ["bob", "carol"] });
        expect(await bus.beforeMarker(store, room("a"))).toEqual([]);
        await store.closeListener(room("a"), bob2.listenerId);
        expect(await store.getRoom(room("a"))).toMatchObject({ listeners: 1, members: ["carol"] });
        expect(await bus.beforeMarker(store, room("a"))).toEqual(["left:bob"]);
      });

      it("counts a listener closed twice only once", async () => {
        const bob1 = await listen(room("a"), "bob");
        await listen(room("a"), "bob");
        await store.closeListener(room("a"), bob1.listenerId);
        await store.closeListener(room("a"), bob1.listenerId);
        expect(await store.getRoom(room("a"))).toMatchObject({ listeners: 1, members: ["bob"] });
        expect(await bus.beforeMarker(store, room("a"))).toEqual(["joined:bob"]);
      });

      it("counts anonymous listeners without making them members or announcing them", async () => {
        const anonymous = await listen(room("a"), undefined);
        await listen(room("a"), undefined);
        await listen(room("a"), "bob");
        expect(await store.getRoom(room("a"))).toMatchObject({ listeners: 3, members: ["bob"] });
        await store.closeListener(room("a"), anonymous.listenerId);
        expect(await store.getRoom(room("a"))).toMatchObject({ listeners: 2, members: ["bob"] });
        expect(await bus.beforeMarker(store, room("a"))).toEqual(["joined:bob"]);
      });

      it("ignores closing a listener of a room deleted since", async () => {
        const old = await listen(room("a"), "bob");
        const oldAnonymous = await listen(room("a"), undefined);
        await store.deleteRoom(room("a"));
        await listen(room("a"), "bob");
        await listen(room("a"), undefined);
        expect(await bus.beforeMarker(store, room("a"))).toEqual([
          "joined:bob",
          `deleted:${room("a")}`,
          "joined:bob",
        ]);
        await store.closeListener(room("a"), old.listenerId);
        await store.closeListener(room("a"), oldAnonymous.listenerId);
        expect(await store.getRoom(room("a"))).toMatchObject({ listeners: 2, members: ["bob"] });
        expect(await bus.beforeMarker(store, room("a"))).toEqual([]);
      });

      it("ignores closing a listener of a room that does not exist, without creating it", async () => {
        await store.closeListener(room("none"), "no-such-listener");
        expect(await store.getRoom(room("none"))).toBeUndefined();
      });

      it("drops a room without messages when its last listener is closed", async () => {
        const bob = await listen(room("a"), "bob");
        const anonymous = await listen(room("a"), undefined);
        await store.closeListener(room("a"), bob.listenerId);
        expect(await store.getRoom(room("a"))).toMatchObject({ listeners: 1, members: [] });
        await store.closeListener(room("a"), anonymous.listenerId);
        expect(await store.getRoom(room("a"))).toBeUndefined();
        expect((await store.listRooms()).some((r) => r.roomId === room("a"))).toBe(false);
        expect(await store.read(room("a"), { limit: 1 })).toBeUndefined();
      });

      it("keeps a room with messages when its last listener is closed", async () => {
        const bob = await listen(room("a"), "bob");
        const [message] = await appendTexts(room("a"), ["stay"]);
        await store.closeListener(room("a"), bob.listenerId);
        expect(await store.getRoom(room("a"))).toMatchObject({
          listeners: 0,
          members: [],
          messageCount: 1,
          lastMessageId: message?.id,
        });
        expect(await epochOf(room("a"))).toBe(bob.epoch);
      });
    });

    describe("epochs", () => {
      it("carries the room's epoch on every bus event", async () => {
        const { epoch } = await listen(room("a"), "bob");
        await appendTexts(room("a"), ["one"]);
        await bus.count(2);
        await store.deleteRoom(room("a"));
        await bus.count(3);
        expect(bus.events.map((event) => (event.type === "resync" ? undefined : event.epoch))).toEqual([
          epoch,
          epoch,
          epoch,
        ]);
      });

      it("rotateEpoch starts a new epoch with an empty history, keeping the listeners", async () => {
        const bob = await listen(room("a"), "bob");
        await appendTexts(room("a"), ["one", "two"]);
        await store.rotateEpoch(room("a"), bob.epoch);
        const slice = await store.read(room("a"), { limit: 10 });
        expect(slice?.epoch).not.toBe(bob.epoch);
        expect(slice).toMatchObject({ messages: [], lastOffset: 0 });
        expect(await store.getRoom(room("a"))).toMatchObject({ listeners: 1, members: ["bob"] });
        const [next] = await appendTexts(room("a"), ["three"]);
        expect(next === undefined ? undefined : parseCursor(next.id)).toEqual({
          epoch: slice?.epoch,
          offset: 1,
        });
      });

      it("rotateEpoch does nothing when the epoch already changed", async () => {
        const { epoch } = await listen(room("a"), "bob");
        await appendTexts(room("a"), ["one"]);
        await store.rotateEpoch(room("a"), "0000000000");
        expect(await epochOf(room("a"))).toBe(epoch);
        expect((await store.read(room("a"), { limit: 10 }))?.lastOffset).toBe(1);
      });
    });

    describe("countRooms", () => {
      it("counts the rooms that exist", async () => {
        const before = await store.countRooms();
        await store.ensureRoom(room("a"));
        await appendTexts(room("b"), ["hi"]);
        expect(await store.countRooms()).toBe(before + 2);
        await store.deleteRoom(room("a"));
        expect(await store.countRooms()).toBe(before + 1);
      });
    });

    describe("rooms", () => {
      it("ensureRoom creates a named room, and later calls return it unchanged", async () => {
        const created = await store.ensureRoom(room("a"), "Brave green otter");
        expect(created).toEqual({
          roomId: room("a"),
          name: "Brave green otter",
          listeners: 0,
          members: [],
          messageCount: 0,
          lastMessageId: null,
          createdAt: created.createdAt,
        });
        expect(created.createdAt).toMatch(ISO_UTC);
        const epoch = await epochOf(room("a"));
        const [message] = await appendTexts(room("a"), ["hi"]);
        const again = await store.ensureRoom(room("a"), "Another name");
        expect(again).toEqual({ ...created, messageCount: 1, lastMessageId: message?.id });
        expect(await epochOf(room("a"))).toBe(epoch);
      });

      it("a room its first message creates was created no later than that message was sent", async () => {
        // A sentAt a little in the past, as when the submit was stamped before the store call.
        const sentAt = new Date(Date.now() - 5_000).toISOString();
        const message = await store.append({ roomId: room("a"), userId: "amy", text: "first", sentAt });
        const created = (await store.getRoom(room("a")))?.createdAt as string;
        expect(Date.parse(created)).toBeLessThanOrEqual(Date.parse(message.sentAt));
      });

      it("ensureRoom without a name names the room after its id, and keeps it without listeners", async () => {
        await store.ensureRoom(room("a"));
        expect(await store.getRoom(room("a"))).toMatchObject({ roomId: room("a"), name: room("a") });
      });

      it("getRoom reports listeners, sorted members, message count and last message id", async () => {
        await listen(room("a"), "zed");
        await listen(room("a"), "amy");
        await listen(room("a"), undefined);
        const [, last] = await appendTexts(room("a"), ["one", "two"]);
        expect(await store.getRoom(room("a"))).toMatchObject({
          roomId: room("a"),
          name: room("a"),
          listeners: 3,
          members: ["amy", "zed"],
          messageCount: 2,
          lastMessageId: last?.id,
        });
      });

      it("listRooms lists every room with its state", async () => {
        await store.ensureRoom(room("a"), "Room A");
        const [message] = await appendTexts(room("b"), ["hi"]);
        await listen(room("c"), "bob");
        const rooms = (await store.listRooms()).filter((r) => r.roomId.startsWith(prefix));
        rooms.sort((x, y) => (x.roomId < y.roomId ? -1 : 1));
        expect(rooms).toMatchObject([
          {
            roomId: room("a"),
            name: "Room A",
            listeners: 0,
            members: [],
            messageCount: 0,
            lastMessageId: null,
          },
          { roomId: room("b"), listeners: 0, members: [], messageCount: 1, lastMessageId: message?.id },
          { roomId: room("c"), listeners: 1, members: ["bob"], messageCount: 0, lastMessageId: null },
        ]);
      });
    });
  });
}
