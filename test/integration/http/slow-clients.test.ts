import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import type { Message } from "../../../src/rooms/index.js";
import { capturedLogger } from "../../helpers/captured-logger.js";
import { heapUsed } from "../../helpers/heap.js";
import { rawGet } from "../../helpers/http-raw.js";
import { Disposer, startTestServer } from "../../helpers/http-server.js";
import { SLOW_CLIENT_LOAD } from "../../helpers/slow-client-load.js";

const disposer = new Disposer();
afterEach(() => disposer.dispose());

const { messages: MESSAGES, chunk: CHUNK, maxBufferedBytes: MAX_BUFFERED, padded } = SLOW_CLIENT_LOAD;

describe("a client that stops reading", () => {
  it("is disconnected by the server, memory stays bounded, and a reading client in the room gets every message in order", async () => {
    const log = capturedLogger();
    const server = await startTestServer(disposer, {
      app: { maxBufferedBytes: MAX_BUFFERED, logger: log.logger },
    });
    const reader = await server.stream("/stream/lobby");
    expect((await reader.next())?.event).toBe("ready");
    const slow = disposer.add(await rawGet(server.port, "/stream/lobby"), (c) => c.socket.destroy());
    await slow.readUntil("event: ready");
    const serverSide = server.sockets().find((s) => s.remotePort === slow.socket.localPort);
    if (serverSide === undefined) throw new Error("no server-side socket for the slow client");
    const serverClosed = once(serverSide, "close");

    const heapBefore = heapUsed();
    let maxUnsent = 0;
    for (let start = 0; start < MESSAGES; start += CHUNK) {
      for (let i = start; i < start + CHUNK; i++) {
        await server.rooms.submit({ roomId: "lobby", userId: "ann", text: padded(i) });
        maxUnsent = Math.max(maxUnsent, serverSide.writableLength);
      }
      // Pace by the reading client, not by the clock: the next chunk goes once it has this one.
      const got = await reader.take(CHUNK);
      expect(got.map((e) => (e.json as Message).text)).toEqual(
        Array.from({ length: CHUNK }, (_, k) => padded(start + k)),
      );
    }
    const heapGrowth = heapUsed() - heapBefore;

    // The server, not the client, ended the slow stream: it closed while the client never read.
    await serverClosed;
    // What it held unsent stayed near the bound (one batch over at most), far from the ~6 MB posted.
    expect(maxUnsent).toBeLessThan(1024 * 1024);
    // The room keeps its last 1,000 messages (measured: 1.7 MB of heap); a buffer that kept every
    // frame for the slow client would add the ~6 MB of frames posted, and fail this.
    expect(heapGrowth).toBeLessThan(4 * 1024 * 1024);

    // The slow client finds the end of its stream after a prefix of the messages, with no deleted event.
    const text = await slow.readToEnd();
    const delivered = text.split("event: message\n").length - 1;
    expect(delivered).toBeLessThan(MESSAGES);
    expect(text).not.toContain("event: deleted");
    // The eviction is a warning in the log, with the stream's room and how long it lasted.
    const evicted = log.lines().find((line) => line.reason === "slow_consumer");
    expect(evicted).toMatchObject({ level: 40, msg: expect.stringContaining("evicted"), roomId: "lobby" });
    expect(evicted?.durationMs).toBeTypeOf("number");

    // The reading client is still live.
    await server.rooms.submit({ roomId: "lobby", userId: "ann", text: "sentinel" });
    expect(((await reader.next())?.json as Message | undefined)?.text).toBe("sentinel");
  });

  it("can resume after the last complete message it read, and gets the rest with no gap and no duplicate", async () => {
    const server = await startTestServer(disposer, {
      app: { maxBufferedBytes: MAX_BUFFERED },
      rooms: { historyLimit: 5000 },
    });
    const slow = disposer.add(await rawGet(server.port, "/stream/lobby"), (c) => c.socket.destroy());
    await slow.readUntil("event: ready");
    const serverSide = server.sockets().find((s) => s.remotePort === slow.socket.localPort);
    if (serverSide === undefined) throw new Error("no server-side socket for the slow client");
    const serverClosed = once(serverSide, "close");
    const sent = [
      await server.rooms.submit({ roomId: "lobby", userId: "ann", text: "read before stalling" }),
    ];
    await slow.readUntil("read before stalling");
    for (let i = 0; i < 4000; i++) {
      sent.push(await server.rooms.submit({ roomId: "lobby", userId: "ann", text: padded(i) }));
    }
    await serverClosed;

    // Like an EventSource, the client keeps the id of the last complete frame only.
    const frames = (await slow.readToEnd()).split("\n\n").slice(0, -1);
    const ids = frames.flatMap((frame) => /^id: (.+)$/m.exec(frame)?.[1] ?? []);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.length).toBeLessThan(sent.length);
    expect(ids).toEqual(sent.slice(0, ids.length).map((m) => m.id));

    const resumed = await server.stream("/stream/lobby", {
      headers: { "last-event-id": ids.at(-1) as string },
    });
    expect((await resumed.next())?.json).toMatchObject({ recovered: true });
    const rest = await resumed.take(sent.length - ids.length);
    expect(rest.map((e) => e.id)).toEqual(sent.slice(ids.length).map((m) => m.id));
    await server.rooms.submit({ roomId: "lobby", userId: "ann", text: "sentinel" });
    expect(((await resumed.next())?.json as Message | undefined)?.text).toBe("sentinel");
  });
});

describe("a client that reads, when more than the byte bound is ready at once", () => {
  it("gets a resume whose replay is larger than maxBufferedBytes in full, instead of being dropped", async () => {
    const server = await startTestServer(disposer, { app: { maxBufferedBytes: MAX_BUFFERED } });
    const sent: Message[] = [];
    for (let i = 0; i < 1000; i++) {
      sent.push(await server.rooms.submit({ roomId: "lobby", userId: "ann", text: padded(i) }));
    }
    // ~330 KB of frames after the first message, five times the bound.
    const stream = await server.stream("/stream/lobby", { headers: { "last-event-id": sent[0]?.id ?? "" } });
    expect(stream.status).toBe(200);
    expect((await stream.next())?.json).toMatchObject({ recovered: true });
    const replay = await stream.take(999);
    expect(replay.map((e) => e.id)).toEqual(sent.slice(1).map((m) => m.id));
    await server.rooms.submit({ roomId: "lobby", userId: "ann", text: "sentinel" });
    expect(((await stream.next())?.json as Message | undefined)?.text).toBe("sentinel");
  });

  it("gets a burst submitted in one tick that is larger than maxBufferedBytes, instead of being dropped", async () => {
    const server = await startTestServer(disposer, { app: { maxBufferedBytes: MAX_BUFFERED } });
    const stream = await server.stream("/stream/lobby");
    expect((await stream.next())?.event).toBe("ready");
    // 600 messages (~200 KB of frames) accepted without the event loop turning in between.
    const burst = await Promise.all(
      Array.from({ length: 600 }, (_, i) =>
        server.rooms.submit({ roomId: "lobby", userId: "ann", text: padded(i) }),
      ),
    );
    const received = await stream.take(600);
    expect(received.map((e) => e.id)).toEqual(burst.map((m) => m.id));
  });
});
