/**
 * The stream contract every streaming transport keeps (SSE, gRPC,
 * WebSocket): what a client of `GET /stream/:roomId`, `Stream` or
 * `GET /ws/:roomId` can rely on, whatever the wire. Written against a thin
 * driver per transport that opens a stream and hands back room events in
 * one shape (`RoomEvent`), so every assertion here holds for all of them.
 *
 * A transport passes by adding one file:
 *
 *     describeStreamTransportContract("WebSocket", () => wsDriver(disposer));
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Message, RoomEvent, RoomManager } from "../../src/rooms/index.js";

export interface OpenOptions {
  readonly userId?: string;
  readonly since?: string;
}

/** One open stream, read event by event. */
export interface TransportStream {
  /** The next event; `undefined` once the stream ended and every event was read. */
  next(): Promise<RoomEvent | undefined>;
  /** Drops the stream from the client side. */
  close(): void;
}

/** A server with one transport on, over `rooms`. */
export interface StreamTransport {
  readonly rooms: RoomManager;
  open(roomId: string, options?: OpenOptions): Promise<TransportStream>;
  /** Opens a stream that the server must refuse; resolves with the machine error code it gave. */
  refusal(roomId: string, options?: OpenOptions): Promise<string>;
}

/** `<prefix><roomId>?userId=&since=`: the stream URL path of the text transports. */
export function streamPath(prefix: string, roomId: string, options: OpenOptions = {}): string {
  const query = new URLSearchParams(options as Record<string, string>).toString();
  return `${prefix}${encodeURIComponent(roomId)}${query === "" ? "" : `?${query}`}`;
}

export function describeStreamTransportContract(
  name: string,
  start: () => Promise<StreamTransport>,
  dispose: () => Promise<void>,
): void {
  describe(`${name} streams (the transport contract)`, () => {
    afterEach(() => dispose());

    const say = (t: StreamTransport, text: string, roomId = "lobby", userId = "ann") =>
      t.rooms.submit({ roomId, userId, text });

    /** Opens a stream and reads its `ready` event. */
    async function ready(t: StreamTransport, roomId = "lobby", options: OpenOptions = {}) {
      const stream = await t.open(roomId, options);
      const first = await stream.next();
      if (first?.type !== "ready") throw new Error(`Expected ready first, got ${JSON.stringify(first)}`);
      return { stream, ready: first };
    }

    /** Proves nothing else is queued: a marker submitted now is the stream's next event. */
    async function expectNextIsSentinel(t: StreamTransport, stream: TransportStream, roomId = "lobby") {
      const sentinel = await say(t, "sentinel", roomId, "sentinel");
      expect(await stream.next()).toEqual({ type: "message", message: sentinel });
    }

    const messages = (events: readonly (RoomEvent | undefined)[]): Message[] =>
      events.flatMap((e) => (e?.type === "message" ? [e.message] : []));

    it("starts with ready: the room, its members, its last id, and recovered null without a cursor", async () => {
      const t = await start();
      const last = await say(t, "before");
      const { ready: first } = await ready(t, "lobby", { userId: "bob" });
      expect(first).toEqual({
        type: "ready",
        roomId: "lobby",
        members: ["bob"],
        lastId: last.id,
        recovered: null,
      });
    });

    it("says lastId null in a room with no messages", async () => {
      const t = await start();
      expect((await ready(t, "empty-room")).ready).toMatchObject({ lastId: null, recovered: null });
    });

    it("is live only without a cursor, and delivers each message whole, as stored", async () => {
      const t = await start();
      await say(t, "old");
      const { stream } = await ready(t);
      const sent = await say(t, "hello\nsecond line");
      expect(await stream.next()).toEqual({ type: "message", message: sent });
      expect((await t.rooms.history("lobby")).at(-1)).toEqual(sent);
    });

    it("resumes after since with every later message, says recovered true, then goes live", async () => {
      const t = await start();
      const [one, two, three] = [await say(t, "one"), await say(t, "two"), await say(t, "three")];
      const { stream, ready: first } = await ready(t, "lobby", { since: one.id });
      expect(first).toMatchObject({ lastId: three.id, recovered: true });
      expect(messages([await stream.next(), await stream.next()])).toEqual([two, three]);
      await expectNextIsSentinel(t, stream);
    });

    it("resumes with no gap and no duplicate while messages are being submitted", async () => {
      const t = await start();
      const first = await say(t, "m0");
      const submitting = Promise.all(Array.from({ length: 40 }, (_, i) => say(t, `m${i + 1}`)));
      const { stream } = await ready(t, "lobby", { since: first.id });
      const sent = await submitting;
      const got: Message[] = [];
      while (got.length < sent.length) got.push(...messages([await stream.next()]));
      expect(got).toEqual(sent);
      await expectNextIsSentinel(t, stream);
    });

    it("says recovered false for a cursor from a lost history, and sends what is retained", async () => {
      const t = await start();
      const old = await say(t, "before delete");
      await t.rooms.deleteRoom("lobby");
      const fresh = await say(t, "after delete");
      const { stream, ready: first } = await ready(t, "lobby", { since: old.id });
      expect(first).toMatchObject({ recovered: false, lastId: fresh.id });
      expect(await stream.next()).toEqual({ type: "message", message: fresh });
    });

    it("tells joined and left of other users, never the stream's own", async () => {
      const t = await start();
      const { stream: ann } = await ready(t, "lobby", { userId: "ann" });
      const { stream: bob } = await ready(t, "lobby", { userId: "bob" });
      expect(await ann.next()).toEqual({ type: "joined", roomId: "lobby", userId: "bob" });
      bob.close();
      expect(await ann.next()).toEqual({ type: "left", roomId: "lobby", userId: "bob" });
      await expectNextIsSentinel(t, ann);
    });

    it("sends deleted as the last event, then ends", async () => {
      const t = await start();
      const { stream } = await ready(t);
      await t.rooms.deleteRoom("lobby");
      expect(await stream.next()).toEqual({ type: "deleted", roomId: "lobby" });
      expect(await stream.next()).toBeUndefined();
    });

    it("ends its streams when the server's rooms close (clients resume elsewhere)", async () => {
      const t = await start();
      const { stream } = await ready(t);
      await t.rooms.close();
      expect(await stream.next()).toBeUndefined();
    });

    it.each([
      ["a bad room id", "bad room", {}, "invalid_room_id"],
      ["a bad user id", "lobby", { userId: "\u0007" }, "invalid_user_id"],
      ["a since that is not a cursor", "lobby", { since: "nope" }, "invalid_cursor"],
    ])("refuses %s with its error code, and nothing is stored", async (_what, roomId, options, code) => {
      const t = await start();
      expect(await t.refusal(roomId, options)).toBe(code);
      expect(await t.rooms.listRooms()).toEqual([]);
    });
  });
}
