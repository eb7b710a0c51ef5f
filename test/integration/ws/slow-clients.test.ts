import { afterEach, describe, expect, it } from "vitest";
import { WS_CLOSE } from "../../../src/adapters/ws/index.js";
import type { Message } from "../../../src/rooms/index.js";
import { heapUsed } from "../../helpers/heap.js";
import { Disposer, startTestServer } from "../../helpers/http-server.js";
import { SLOW_CLIENT_LOAD } from "../../helpers/slow-client-load.js";
import type { WsFrame } from "../../helpers/ws-client.js";

const disposer = new Disposer();
afterEach(() => disposer.dispose());

const { messages: MESSAGES, chunk: CHUNK, maxBufferedBytes: MAX_BUFFERED, padded } = SLOW_CLIENT_LOAD;
// The evicted client reads its close frame only at the end of the test: give it all the time it needs.
const ws = { maxBufferedBytes: MAX_BUFFERED, closeTimeoutMs: 120_000 };

describe("a WebSocket client that stops reading", () => {
  it("is closed with 4001 while 20,000 messages are posted, server memory stays bounded, and a reading client gets every message in order", async () => {
    const server = await startTestServer(disposer, { ws, rooms: { historyLimit: MESSAGES } });
    const reader = await server.socket("/ws/lobby");
    expect((await reader.next())?.type).toBe("ready");
    const slow = await server.socket("/ws/lobby");
    expect((await slow.next())?.type).toBe("ready");
    // The client stops reading its socket: the server's writes back up.
    slow.ws.pause();
    const serverSide = server.sockets().at(-1);
    if (serverSide === undefined) throw new Error("no server-side socket for the slow client");

    const heapBefore = heapUsed();
    let maxUnsent = 0;
    const sent: Message[] = [];
    for (let start = 0; start < MESSAGES; start += CHUNK) {
      for (let i = start; i < start + CHUNK; i++) {
        sent.push(await server.rooms.submit({ roomId: "lobby", userId: "ann", text: padded(i) }));
        maxUnsent = Math.max(maxUnsent, serverSide.writableLength);
      }
      // Pace by the reading client, not by the clock: the next chunk goes once it has this one.
      const got = await reader.take(CHUNK);
      expect(got.map((f) => f.text)).toEqual(sent.slice(start).map((m) => m.text));
    }
    const heapGrowth = heapUsed() - heapBefore;
    // What the server held unsent stayed near the bound (one batch over at most), far from the ~5 MB posted.
    expect(maxUnsent).toBeLessThan(1024 * 1024);
    // History keeps all 20,000 messages here, for the resume below (measured: 9.5 MB of heap); a
    // buffer that kept a copy of every frame for the slow socket would add ~6 MB, and fail this.
    expect(heapGrowth).toBeLessThan(12 * 1024 * 1024);
    expect(server.ws?.size).toBe(2);

    // Reading again, the slow client finds a prefix of the messages, then the close with its code.
    slow.ws.resume();
    const frames: WsFrame[] = [];
    for (let frame = await slow.next(); frame !== undefined; frame = await slow.next()) frames.push(frame);
    const ids = frames.map((f) => f.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.length).toBeLessThan(MESSAGES);
    expect(ids).toEqual(sent.slice(0, ids.length).map((m) => m.id));
    const close = await slow.closed;
    expect(close).toEqual({
      code: WS_CLOSE.slowConsumer,
      reason: `too slow: reconnect with since=${ids.at(-1)}`,
    });

    // It resumes from its last id and gets the rest, with no gap and no duplicate.
    const resumed = await server.socket(`/ws/lobby?since=${ids.at(-1)}`);
    expect(await resumed.next()).toMatchObject({ type: "ready", recovered: true });
    const rest = await resumed.take(MESSAGES - ids.length);
    expect(rest.map((f) => f.id)).toEqual(sent.slice(ids.length).map((m) => m.id));

    // The reading client is still live.
    await server.rooms.submit({ roomId: "lobby", userId: "ann", text: "sentinel" });
    expect(await reader.next()).toMatchObject({ text: "sentinel" });
  });
});

describe("a WebSocket client that reads, when more than the byte bound is ready at once", () => {
  it("gets a resume whose replay is larger than maxBufferedBytes in full, instead of being closed", async () => {
    const server = await startTestServer(disposer, { ws });
    const sent: Message[] = [];
    for (let i = 0; i < 1000; i++) {
      sent.push(await server.rooms.submit({ roomId: "lobby", userId: "ann", text: padded(i) }));
    }
    const socket = await server.socket(`/ws/lobby?since=${sent[0]?.id}`);
    expect(await socket.next()).toMatchObject({ type: "ready", recovered: true });
    const replay = await socket.take(999);
    expect(replay.map((f) => f.id)).toEqual(sent.slice(1).map((m) => m.id));
  });
});
