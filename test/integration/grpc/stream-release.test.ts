import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { ChatTestClient, EventStream, isMessage } from "../../helpers/grpc-client.js";
import { expectReleased, useGrpcServers } from "../../helpers/grpc-server.js";
import { HeldOpenRooms } from "../../helpers/held-opens.js";
import { startTcpProxy } from "../../helpers/tcp-proxy.js";

const start = useGrpcServers();

/** 1 KiB texts, so a paused stream's flow-control window (64 KiB) fills after a few dozen. */
const PADDING = "x".repeat(1000);

/** What each test's server holds once the calls it ended are freed: the observer's stream. */
const OBSERVER_ONLY = { streams: 1, roomId: "lobby", listeners: 1, members: ["observer"] };

describe("gRPC Stream: every way a call or its connection ends releases its listener and presence", () => {
  it("releases the listener and presence of every call on a connection reset mid-stream, whatever each call was doing", async () => {
    const rooms = new HeldOpenRooms();
    const { client, metrics, server, closeLater } = await start({ rooms });
    const proxy = closeLater(await startTcpProxy(server.port), (p) => p.close());
    const observer = client().stream("lobby", { userId: "observer" });
    await observer.next();
    const doomed = closeLater(new ChatTestClient(`127.0.0.1:${proxy.port}`), (c) => c.close());

    // Still opening on the server (no `ready` yet), live, and stalled behind backpressure.
    const opening = [
      doomed.stream("lobby", { userId: "held-ann" }),
      doomed.stream("lobby", { userId: "held-dan" }),
    ];
    const live = [doomed.stream("lobby", { userId: "bob" }), doomed.stream("lobby", { userId: "bob" })];
    const stalled = doomed.stream("lobby", { userId: "carol" });
    await rooms.held(2);
    for (const stream of [...live, stalled]) expect((await stream.next()).event).toBe("ready");
    stalled.pause();
    for (let i = 0; i < 100; i++)
      await rooms.submit({ roomId: "lobby", userId: "bot", text: `${i} ${PADDING}` });
    await observer.until(isMessage(`99 ${PADDING}`));
    expect(await rooms.getRoom("lobby")).toMatchObject({ members: ["bob", "carol", "observer"] });

    await proxy.cut();
    rooms.release();
    for (const stream of [...opening, ...live, stalled]) {
      expect((await stream.rest()).status.code).toBe(status.UNAVAILABLE);
    }

    // Back to the observer alone, on its own connection, which kept streaming.
    await expectReleased({ metrics, rooms }, OBSERVER_ONLY);
    await rooms.submit({ roomId: "lobby", userId: "bot", text: "sentinel" });
    await observer.until(isMessage("sentinel"));
  });

  it("releases every call of a connection that Node's HTTP/2 layer closes after a burst of over 1000 cancels", async () => {
    // nghttp2 (Node 20) answers more than 1000 RST_STREAMs in a burst on one
    // connection (then 33 a second) with GOAWAY INTERNAL_ERROR, a guard against
    // "rapid reset" floods (CVE-2023-44487) that Node 20 does not let a server
    // tune. Every stream of that connection ends; the server must release them all.
    const { client, rooms, metrics } = await start();
    const observer = client().stream("lobby", { userId: "observer" });
    await observer.next();
    const flood = client();
    const streams = Array.from({ length: 1200 }, (_, i) => flood.stream("lobby", { userId: `u${i % 20}` }));
    for (const stream of streams) expect((await stream.next()).event).toBe("ready");
    for (const stream of streams) stream.cancel();
    await Promise.all(streams.map((stream) => stream.ended()));

    await expectReleased({ metrics, rooms }, OBSERVER_ONLY);
    // Another connection is not affected.
    await rooms.submit({ roomId: "lobby", userId: "bot", text: "sentinel" });
    await observer.until(isMessage("sentinel"));
  });

  it("releases a call that ends at its deadline", async () => {
    const { client, rooms, metrics } = await start();
    const chat = client();
    const request = { roomId: "lobby", userId: "ann", since: "" };
    const stream = new EventStream(chat.stub.Stream(request, { deadline: Date.now() + 300 }));
    expect((await stream.next()).event).toBe("ready");
    expect((await stream.rest()).status.code).toBe(status.DEADLINE_EXCEEDED);
    await expectReleased({ metrics, rooms }, { streams: 0, roomId: "lobby", listeners: 0, members: [] });
  });
});
