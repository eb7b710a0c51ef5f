import { Server, ServerCredentials, setLogger, status } from "@grpc/grpc-js";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { addChatService, routeGrpcLogs, startGrpcServer } from "../../../src/adapters/grpc/index.js";
import { RoomManager } from "../../../src/rooms/index.js";
import { Disposer } from "../../helpers/disposer.js";
import { ChatTestClient, EventStream } from "../../helpers/grpc-client.js";
import { healthClient } from "../../helpers/grpc-reflection.js";
import { metricValue, useGrpcServers } from "../../helpers/grpc-server.js";

const start = useGrpcServers();

describe("gRPC server shutdown", () => {
  it("turns health NOT_SERVING, ends open streams with UNAVAILABLE, then refuses new calls", async () => {
    const { address, server, client, metrics, closeLater } = await start();
    const health = closeLater(healthClient(address), (c) => c.close());
    const watch = new EventStream(health.Watch({ service: "chat.v1.ChatService" }));
    expect(await watch.next()).toEqual({ status: "SERVING" });
    const chat = client();
    const streams = [chat.stream("lobby", { userId: "ann" }), client().stream("other")];
    for (const stream of streams) await stream.next();
    expect(await metricValue(metrics, "chat_open_streams", { adapter: "grpc" })).toBe(2);

    const closing = server.close();
    expect(await watch.next()).toEqual({ status: "NOT_SERVING" });
    watch.cancel();
    for (const stream of streams) {
      const ended = await stream.ended();
      expect(ended.code).toBe(status.UNAVAILABLE);
      expect(ended.details).toMatch(/^server shutting down; open a new Stream with `since`/);
    }
    await closing;
    expect(await metricValue(metrics, "chat_open_streams", { adapter: "grpc" })).toBe(0);
    await expect(chat.submit("lobby", "ann", "too late")).rejects.toMatchObject({ code: status.UNAVAILABLE });
  });

  it("still closes when a client has stopped reading in the middle of a flood, and close() is idempotent", async () => {
    const { server, client, rooms } = await start({ shutdownGraceMs: 100 });
    const stalled = client().stream("flood");
    await stalled.next();
    stalled.pause();
    const text = "x".repeat(1000);
    for (let i = 0; i < 300; i++) await rooms.submit({ roomId: "flood", userId: "bot", text });
    const first = server.close();
    expect(server.close()).toBe(first);
    await first;
    // The connection was cut: the stalled client learns it once it reads again.
    expect((await stalled.rest()).status.code).not.toBe(status.OK);
  });

  it("picks a free port for port 0, and rejects a port already in use (grpc-js's own log routed to ours)", async () => {
    const { server } = await start();
    expect(server.port).toBeGreaterThan(0);
    const lines: string[] = [];
    routeGrpcLogs(pino({ level: "debug" }, { write: (line: string) => lines.push(line) }));
    const rooms = new RoomManager();
    try {
      await expect(startGrpcServer({ rooms, host: "127.0.0.1", port: server.port })).rejects.toThrow(
        /No address added/,
      );
      expect(lines.join("")).toContain("No address added");
    } finally {
      setLogger(console);
      await rooms.close();
    }
  });
});

describe("addChatService on a server of your own", () => {
  const disposer = new Disposer();
  afterEach(() => disposer.dispose());

  it("serves the rooms, and after shutdown() answers new streams with UNAVAILABLE", async () => {
    const rooms = disposer.add(new RoomManager(), (r) => r.close());
    const server = disposer.add(new Server(), (s) => s.forceShutdown());
    const chat = addChatService(server, rooms);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    const client = disposer.add(new ChatTestClient(`127.0.0.1:${port}`), (c) => c.close());

    const open = client.stream("lobby");
    await open.next();
    expect(chat.openStreams).toBe(1);
    chat.shutdown();
    expect((await open.ended()).code).toBe(status.UNAVAILABLE);
    expect(chat.openStreams).toBe(0);
    const late = await client.stream("lobby").ended();
    expect(late).toMatchObject({
      code: status.UNAVAILABLE,
      details: expect.stringMatching(/^server shutting down/),
    });
    // Unary calls still work: shutting the grpc-js server down is the caller's part.
    expect((await client.submit("lobby", "ann", "still here")).text).toBe("still here");
  });
});
