import { once } from "node:events";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WS_CLOSE } from "../../../src/adapters/ws/index.js";
import { Disposer, startTestServer, type TestServer } from "../../helpers/http-server.js";
import { refusedWs, type WsConnection } from "../../helpers/ws-client.js";

const disposer = new Disposer();
afterEach(() => disposer.dispose());

/** A socket of ann in the lobby, past its ready frame. */
async function annIn(server: TestServer): Promise<WsConnection> {
  const socket = await server.socket("/ws/lobby?userId=ann");
  expect((await socket.next())?.type).toBe("ready");
  return socket;
}

/** The texts the lobby stored; none when the room is gone (an idle empty room is reclaimed). */
async function stored(server: TestServer): Promise<string[]> {
  const rooms = await server.rooms.listRooms();
  if (!rooms.some((room) => room.roomId === "lobby")) return [];
  return (await server.rooms.history("lobby")).map((m) => m.text);
}

/** The socket still works and nothing was stored: a submit now is the room's first message. */
async function expectStillServing(server: TestServer, socket: WsConnection) {
  socket.send({ type: "submit", text: "sentinel", ref: "s" });
  expect(await socket.until((f) => f.type === "submitted")).toMatchObject({ ref: "s" });
  expect((await server.rooms.history("lobby")).map((m) => m.text)).toEqual(["sentinel"]);
}

describe("a refused upgrade", () => {
  it.each([
    ["a bad room id", "/ws/bad%20room", 400, "invalid_room_id"],
    ["a room id over 64 characters", `/ws/${"r".repeat(65)}`, 400, "invalid_room_id"],
    ["an empty room id", "/ws/", 400, "invalid_room_id"],
    ["a bad user id", "/ws/lobby?userId=%07bell", 400, "invalid_user_id"],
    ["a since that is not a cursor", "/ws/lobby?since=nope", 400, "invalid_cursor"],
    ["a repeated userId", "/ws/lobby?userId=a&userId=b", 400, "invalid_query"],
    ["an undecodable room id", "/ws/%E0%A4%A", 400, "bad_request"],
    ["a path below a room", "/ws/lobby/more", 404, "not_found"],
    ["another path", "/stream/lobby", 404, "not_found"],
  ])(
    "answers %s with HTTP %i and the JSON error body, before upgrading",
    async (_what, path, status, code) => {
      const server = await startTestServer(disposer, { ws: {} });
      const refusal = await refusedWs(`${server.wsUrl}${path}`);
      expect(refusal.status).toBe(status);
      expect(refusal.contentType).toMatch(/^application\/json/);
      expect(JSON.parse(refusal.body)).toEqual({ error: { code, message: expect.any(String) } });
      expect(server.ws?.size).toBe(0);
    },
  );

  it("answers a handshake without Sec-WebSocket-Key with 400 bad_request, before any listener opens", async () => {
    const server = await startTestServer(disposer, { ws: {} });
    const watcher = await server.socket("/ws/lobby");
    await watcher.next();
    const socket = connect(server.port, "127.0.0.1");
    disposer.add(socket, (s) => s.destroy());
    await once(socket, "connect");
    socket.write(
      "GET /ws/lobby?userId=ann HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
    );
    const [answer] = (await once(socket, "data")) as [Buffer];
    expect(answer.toString("latin1")).toMatch(/^HTTP\/1\.1 400 [\s\S]*"code":"bad_request"/);
    // Ann never counted as present: the watcher's next event is a sentinel.
    await server.rooms.submit({ roomId: "lobby", userId: "zed", text: "sentinel" });
    expect(await watcher.next()).toMatchObject({ type: "message", text: "sentinel" });
  });

  it("answers a plain GET (no upgrade) with 426 upgrade_required", async () => {
    const server = await startTestServer(disposer, { ws: {} });
    const response = await server.fetch("/ws/lobby");
    expect(response.status).toBe(426);
    expect(response.headers.get("upgrade")).toBe("websocket");
    expect(await response.json()).toEqual({
      error: { code: "upgrade_required", message: expect.any(String) },
    });
  });

  it("answers 503 too_many_streams past maxSockets", async () => {
    const server = await startTestServer(disposer, { ws: { maxSockets: 1 } });
    await annIn(server);
    const refusal = await refusedWs(`${server.wsUrl}/ws/lobby`);
    expect(refusal.status).toBe(503);
    expect(JSON.parse(refusal.body)).toMatchObject({ error: { code: "too_many_streams" } });
  });
});

describe("a bad client frame", () => {
  it.each([
    ["malformed JSON", '{"type":"submit","text":', "malformed_json"],
    ["a JSON object of another type", '{"type":"subscribe","ref":"r"}', "invalid_frame"],
    ["a JSON submit without text", '{"type":"submit"}', "invalid_text"],
    ["a JSON submit with a number as text", '{"type":"submit","text":42}', "invalid_text"],
    ["an empty line", "\n", "invalid_text"],
    ["a text with control characters", "bell\u0007", "invalid_text"],
    ["a text over the message limit (but within the frame limit)", "x".repeat(4097), "message_too_long"],
  ])("answers %s with an error frame and keeps the socket open", async (_what, data, code) => {
    const server = await startTestServer(disposer, { ws: {} });
    const socket = await annIn(server);
    socket.send(data);
    const answer = await socket.next();
    expect(answer).toMatchObject({ type: "error", error: { code, message: expect.any(String) } });
    await expectStillServing(server, socket);
  });

  it("echoes the ref of a refused JSON submit", async () => {
    const server = await startTestServer(disposer, { ws: {} });
    const socket = await annIn(server);
    socket.send({ type: "submit", text: "", ref: 12 });
    expect(await socket.next()).toMatchObject({ type: "error", error: { code: "invalid_text" }, ref: 12 });
  });

  it("closes the socket with 1003 on a binary frame", async () => {
    const server = await startTestServer(disposer, { ws: {} });
    const socket = await annIn(server);
    socket.ws.send(Buffer.from([1, 2, 3]));
    expect(await socket.closed).toEqual({
      code: WS_CLOSE.unsupportedData,
      reason: expect.stringContaining("binary"),
    });
    expect(await stored(server)).toEqual([]);
  });

  it("closes the socket with 1009 on a frame over the frame limit", async () => {
    const server = await startTestServer(disposer, { ws: {} });
    const socket = await annIn(server);
    // Twice the 4096-byte message limit plus 1 KiB of envelope, and one more byte.
    socket.send("x".repeat(2 * 4096 + 1024 + 1));
    expect((await socket.closed).code).toBe(WS_CLOSE.messageTooBig);
    expect(await stored(server)).toEqual([]);
  });

  it("answers frames past the rate with rate_limited, then closes with 1008 when they go on", async () => {
    // A bucket that does not refill during the test: 3 frames, then refusals.
    const server = await startTestServer(disposer, {
      ws: { messageBurst: 3, messagesPerSecond: 1e-9, maxRejectedInARow: 2 },
    });
    const socket = await annIn(server);
    for (let i = 0; i < 6; i++) socket.send({ type: "submit", text: `m${i}`, ref: i });
    const answers = [];
    for (let frame = await socket.next(); frame !== undefined; frame = await socket.next()) {
      if (frame.type !== "message") answers.push(frame);
    }
    expect(
      answers.map((a) => [a.ref, a.type === "error" ? (a.error as { code: string }).code : a.type]),
    ).toEqual([
      [0, "submitted"],
      [1, "submitted"],
      [2, "submitted"],
      [3, "rate_limited"],
      [4, "rate_limited"],
    ]);
    expect(await socket.closed).toEqual({ code: WS_CLOSE.policyViolation, reason: "rate limit exceeded" });
    expect(await stored(server)).toHaveLength(3);
  });

  it("survives a client that resets its connection mid-stream", async () => {
    const server = await startTestServer(disposer, { ws: {} });
    const socket = await annIn(server);
    socket.ws.terminate();
    await socket.closed;
    const other = await annIn(server);
    await expectStillServing(server, other);
  });
});
