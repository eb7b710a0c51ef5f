import { afterEach, describe, expect, it } from "vitest";
import { WS_CLOSE } from "../../../src/adapters/ws/index.js";
import { ChatMetrics } from "../../../src/observability/index.js";
import { RoomManager } from "../../../src/rooms/index.js";
import { Disposer, startTestServer } from "../../helpers/http-server.js";
import { LossyBusStore } from "../../helpers/lossy-bus-store.js";
import { refusedWs } from "../../helpers/ws-client.js";

const disposer = new Disposer();
afterEach(() => disposer.dispose());

describe("WebSocket shutdown", () => {
  it("closes every socket with 1012 and a reason naming the cursor to reconnect with", async () => {
    const server = await startTestServer(disposer, { ws: {} });
    const quiet = await server.socket("/ws/empty-room");
    expect(await quiet.next()).toMatchObject({ type: "ready", lastId: null });
    const busy = await server.socket("/ws/lobby?userId=ann");
    await busy.next();
    const sent = await server.rooms.submit({ roomId: "lobby", userId: "bob", text: "last words" });
    expect(await busy.next()).toMatchObject({ id: sent.id });

    await server.ws?.close();
    expect(await busy.closed).toEqual({
      code: WS_CLOSE.serviceRestart,
      reason: `server restarting: reconnect with since=${sent.id}`,
    });
    expect(await quiet.closed).toEqual({
      code: WS_CLOSE.serviceRestart,
      reason: "server restarting: reconnect",
    });
    expect(server.ws?.size).toBe(0);
    // New upgrades are refused meanwhile.
    const refusal = await refusedWs(`${server.wsUrl}/ws/lobby`);
    expect(refusal.status).toBe(503);
    expect(JSON.parse(refusal.body)).toMatchObject({ error: { code: "shutting_down" } });
  });

  it("closes with 1012 when the rooms end its listener (the server's RoomManager closing)", async () => {
    const server = await startTestServer(disposer, { ws: {} });
    const socket = await server.socket("/ws/lobby?since=");
    await socket.next();
    await server.rooms.close();
    expect((await socket.closed).code).toBe(WS_CLOSE.serviceRestart);
  });
});

describe("WebSocket keepalive", () => {
  it("pings, and keeps a socket that answers", async () => {
    const server = await startTestServer(disposer, { ws: { pingIntervalMs: 20 } });
    const socket = await server.socket("/ws/lobby");
    await socket.next();
    let pings = 0;
    // Three pings: the answered ones did not get it cut.
    await new Promise<void>((resolve) =>
      socket.ws.on("ping", () => {
        if (++pings === 3) resolve();
      }),
    );
    await server.rooms.submit({ roomId: "lobby", userId: "ann", text: "still here" });
    expect(await socket.next()).toMatchObject({ text: "still here" });
  });

  it("cuts a peer that does not answer pings, and its presence ends", async () => {
    const server = await startTestServer(disposer, { ws: { pingIntervalMs: 20 } });
    const watcher = await server.socket("/ws/lobby");
    await watcher.next();
    const dead = await server.socket("/ws/lobby?userId=ghost", { autoPong: false });
    await dead.next();
    expect(await watcher.next()).toMatchObject({ type: "joined", userId: "ghost" });
    // No close frame from a server that gave up on the peer: the client sees an abnormal close.
    expect((await dead.closed).code).toBe(1006);
    expect(await watcher.next()).toMatchObject({ type: "left", userId: "ghost" });
  });
});

describe("WebSocket metrics", () => {
  it("counts open sockets under adapter ws in chat_open_streams, and the events delivered", async () => {
    const metrics = new ChatMetrics();
    const server = await startTestServer(disposer, { ws: { metrics } });
    const gauge = async () => (await metrics.registry.getSingleMetric("chat_open_streams")?.get())?.values;
    const a = await server.socket("/ws/lobby");
    const b = await server.socket("/ws/lobby");
    await a.next();
    await b.next();
    expect(await gauge()).toEqual([{ labels: { adapter: "ws" }, value: 2 }]);
    await server.ws?.close();
    expect(await gauge()).toEqual([{ labels: { adapter: "ws" }, value: 0 }]);
  });
});

describe("a WebSocket whose room lost history it had not seen", () => {
  it("is closed with 4002 and its last id, and a reconnect with that id is told recovered false", async () => {
    // A bus that drops messages history no longer holds, as a restarting shared store would.
    const store = new LossyBusStore({ historyLimit: 3 });
    const rooms = new RoomManager({ store, historyLimit: 3 });
    disposer.add(rooms, (r) => r.close());
    const server = await startTestServer(disposer, { ws: {}, rooms });
    const socket = await server.socket("/ws/lobby");
    await socket.next();
    const first = await rooms.submit({ roomId: "lobby", userId: "ann", text: "m1" });
    expect(await socket.next()).toMatchObject({ id: first.id });
    store.lose = (event) => event.type === "message" && event.offset < 6;
    for (let i = 2; i <= 6; i++) await rooms.submit({ roomId: "lobby", userId: "ann", text: `m${i}` });
    expect(await socket.closed).toEqual({
      code: WS_CLOSE.historyLost,
      reason: `history lost: reconnect with since=${first.id}`,
    });
    const resumed = await server.socket(`/ws/lobby?since=${first.id}`);
    expect(await resumed.next()).toMatchObject({ type: "ready", recovered: false });
  });
});
