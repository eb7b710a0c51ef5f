import { afterEach, describe, expect, it } from "vitest";
import { WS_CLOSE } from "../../../src/adapters/ws/index.js";
import type { Message } from "../../../src/rooms/index.js";
import { Disposer, startTestServer, type TestServer } from "../../helpers/http-server.js";
import type { WsConnection } from "../../helpers/ws-client.js";

const disposer = new Disposer();
afterEach(() => disposer.dispose());

const say = (server: TestServer, text: string, roomId = "lobby", userId = "ann") =>
  server.rooms.submit({ roomId, userId, text });

/** Opens a socket and reads its `ready` frame. */
async function ready(server: TestServer, path: string) {
  const socket = await server.socket(path);
  const first = await socket.next();
  expect(first?.type).toBe("ready");
  return { socket, ready: first };
}

/** Proves nothing else is queued on `socket`: a marker submitted now is its next frame. */
async function expectNextIsSentinel(server: TestServer, socket: WsConnection, roomId = "lobby") {
  await say(server, "sentinel", roomId, "sentinel");
  expect(await socket.next()).toMatchObject({ type: "message", text: "sentinel" });
}

describe("GET /ws/:roomId frames", () => {
  it("sends ready first with SSE's fields, then one JSON text frame per message with its id", async () => {
    const server = await startTestServer(disposer, { ws: {} });
    const last = await say(server, "before");
    const { socket, ready: first } = await ready(server, "/ws/lobby");
    expect(first).toEqual({ type: "ready", roomId: "lobby", members: [], lastId: last.id, recovered: null });
    const sent = await say(server, "hello\nsecond line");
    expect(await socket.next()).toEqual({ type: "message", ...sent });
  });

  it("is live only without a cursor: history from before the socket is not replayed", async () => {
    const server = await startTestServer(disposer, { ws: {} });
    await say(server, "old one");
    const { socket } = await ready(server, "/ws/lobby");
    await expectNextIsSentinel(server, socket);
  });

  it("tells presence: joined and left of other users, members in ready", async () => {
    const server = await startTestServer(disposer, { ws: {} });
    const { socket: watcher } = await ready(server, "/ws/lobby?userId=ann");
    const { socket: bob, ready: bobReady } = await ready(server, "/ws/lobby?userId=bob");
    expect(bobReady).toMatchObject({ members: ["ann", "bob"] });
    expect(await watcher.next()).toEqual({ type: "joined", roomId: "lobby", userId: "bob" });
    bob.close();
    expect(await watcher.next()).toEqual({ type: "left", roomId: "lobby", userId: "bob" });
    expect((await server.rooms.getRoom("lobby")).members).toEqual(["ann"]);
  });

  it("sends deleted as the last frame, then closes with 1000", async () => {
    const server = await startTestServer(disposer, { ws: {} });
    const { socket } = await ready(server, "/ws/lobby");
    await server.rooms.deleteRoom("lobby");
    expect(await socket.next()).toEqual({ type: "deleted", roomId: "lobby" });
    expect(await socket.next()).toBeUndefined();
    expect(await socket.closed).toEqual({ code: WS_CLOSE.normal, reason: "room deleted" });
  });
});

describe("submitting over a WebSocket", () => {
  it("answers a JSON submit with submitted and the client's ref; the room gets the message", async () => {
    const server = await startTestServer(disposer, { ws: {} });
    const { socket: other } = await ready(server, "/ws/lobby");
    const { socket } = await ready(server, "/ws/lobby?userId=ann");
    socket.send({ type: "submit", text: "hi all", ref: "r1" });
    const answer = await socket.until((f) => f.type === "submitted");
    expect(answer).toEqual({
      type: "submitted",
      message: expect.objectContaining({ text: "hi all" }),
      ref: "r1",
    });
    const message = answer.message as Message;
    expect(message).toMatchObject({ roomId: "lobby", userId: "ann" });
    expect(await other.until((f) => f.type === "message")).toEqual({ type: "message", ...message });
  });

  it("submits a plain text frame as the message text, as websocat sends a typed line", async () => {
    const server = await startTestServer(disposer, { ws: {} });
    const { socket } = await ready(server, "/ws/lobby?userId=ann");
    socket.send("typed in a terminal\n");
    expect(await socket.until((f) => f.type === "submitted")).toMatchObject({
      message: { text: "typed in a terminal", userId: "ann" },
    });
    expect(await server.rooms.history("lobby")).toMatchObject([{ text: "typed in a terminal" }]);
  });

  it("answers submits sent before ready arrived after ready, in order", async () => {
    const server = await startTestServer(disposer, { ws: {} });
    const socket = await server.socket("/ws/lobby?userId=ann");
    socket.send({ type: "submit", text: "early", ref: 1 });
    const frames = await socket.take(3);
    expect(frames.map((f) => f.type)).toEqual(["ready", expect.any(String), expect.any(String)]);
    expect(frames.map((f) => f.type).sort()).toEqual(["message", "ready", "submitted"]);
  });

  it("refuses a submit that names nobody on a socket without userId, and stays open", async () => {
    const server = await startTestServer(disposer, { ws: {} });
    const { socket } = await ready(server, "/ws/lobby");
    socket.send({ type: "submit", text: "who am I", ref: "x" });
    socket.send("nor me");
    for (const ref of ["x", undefined]) {
      const error = { code: "user_id_required", message: expect.stringContaining("?userId=") };
      expect(await socket.next()).toEqual(
        ref === undefined ? { type: "error", error } : { type: "error", error, ref },
      );
    }
    await expectNextIsSentinel(server, socket);
    expect(await server.rooms.history("lobby")).toHaveLength(1);
  });

  it("posts as the userId of a JSON submit on a socket without one, with no presence of that user", async () => {
    const server = await startTestServer(disposer, { ws: {} });
    const { socket: watcher } = await ready(server, "/ws/lobby?userId=bob");
    const { socket } = await ready(server, "/ws/lobby");
    socket.send({ type: "submit", userId: "ann", text: "drive-by" });
    expect(await socket.until((f) => f.type === "submitted")).toMatchObject({ message: { userId: "ann" } });
    // Bob's next frame is the message itself: ann never joined.
    expect(await watcher.next()).toMatchObject({ type: "message", userId: "ann", text: "drive-by" });
  });

  it("refuses a JSON submit naming another user than the socket's", async () => {
    const server = await startTestServer(disposer, { ws: {} });
    const { socket } = await ready(server, "/ws/lobby?userId=ann");
    socket.send({ type: "submit", userId: "mallory", text: "spoof", ref: 1 });
    expect(await socket.next()).toMatchObject({ type: "error", error: { code: "invalid_user_id" }, ref: 1 });
    await expectNextIsSentinel(server, socket);
  });

  it("delivers 1,000 quick submits from one socket in order, answered in order, to every socket in the room", async () => {
    const count = 1000;
    // The default rate limit (burst 100) would refuse most of this burst: raised for the test.
    const server = await startTestServer(disposer, { ws: { messageBurst: count, messagesPerSecond: count } });
    const { socket: other } = await ready(server, "/ws/lobby?userId=bob");
    const { socket } = await ready(server, "/ws/lobby?userId=ann");
    for (let i = 0; i < count; i++) socket.send({ type: "submit", text: `m${i}`, ref: i });
    const frames = await socket.take(2 * count);
    const answers = frames.filter((f) => f.type === "submitted");
    const messages = frames.filter((f) => f.type === "message");
    expect(answers.map((f) => f.ref)).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(messages.map((f) => f.text)).toEqual(Array.from({ length: count }, (_, i) => `m${i}`));
    expect(messages.map((f) => f.id)).toEqual(answers.map((f) => (f.message as Message).id));
    // Bob saw Ann join first.
    const seen = await other.take(count + 1);
    expect(seen[0]).toMatchObject({ type: "joined", userId: "ann" });
    expect(seen.slice(1).map((f) => f.id)).toEqual(messages.map((f) => f.id));
  });
});

describe("resuming a WebSocket", () => {
  it("replays what followed ?since= with recovered true, then goes live", async () => {
    const server = await startTestServer(disposer, { ws: {} });
    const one = await say(server, "one");
    const two = await say(server, "two");
    const three = await say(server, "three");
    const { socket, ready: first } = await ready(server, `/ws/lobby?since=${one.id}`);
    expect(first).toMatchObject({ lastId: three.id, recovered: true });
    expect((await socket.take(2)).map((f) => f.id)).toEqual([two.id, three.id]);
    await expectNextIsSentinel(server, socket);
  });

  it("loses nothing and repeats nothing when a cut socket reconnects with since=<last id> while messages keep coming", async () => {
    const server = await startTestServer(disposer, { ws: {}, rooms: { historyLimit: 5000 } });
    const { socket } = await ready(server, "/ws/lobby");
    const sent: Message[] = [];
    for (let i = 0; i < 50; i++) sent.push(await say(server, `before ${i}`));
    const got = await socket.take(20);
    socket.ws.terminate();
    await socket.closed;
    // Submits go on while nobody is connected and while the new socket opens.
    for (let i = 0; i < 50; i++) sent.push(await say(server, `between ${i}`));
    const lastId = got.at(-1)?.id as string;
    const resumed = await server.socket(`/ws/lobby?since=${lastId}`);
    const during = Promise.all(Array.from({ length: 50 }, (_, i) => say(server, `during ${i}`)));
    expect(await resumed.next()).toMatchObject({ type: "ready", recovered: true });
    sent.push(...(await during));
    const rest = await resumed.take(sent.length - 20);
    expect([...got, ...rest].map((f) => f.id)).toEqual(sent.map((m) => m.id));
    await expectNextIsSentinel(server, resumed);
  });

  it("tells an incomplete resume in ready when the cursor is from a lost history", async () => {
    const server = await startTestServer(disposer, { ws: {} });
    const old = await say(server, "before delete");
    await server.rooms.deleteRoom("lobby");
    const fresh = await say(server, "after delete");
    const { socket, ready: first } = await ready(server, `/ws/lobby?since=${old.id}`);
    expect(first).toMatchObject({ recovered: false, lastId: fresh.id });
    expect(await socket.next()).toMatchObject({ id: fresh.id });
  });
});
