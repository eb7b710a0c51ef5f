import { once } from "node:events";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { Message } from "../../../src/rooms/index.js";
import { Disposer, errorOf, startTestServer, type TestServer } from "../../helpers/http-server.js";
import type { SseConnection, SseEvent, SseFrame } from "../../helpers/http-sse.js";

const disposer = new Disposer();
afterEach(() => disposer.dispose());

const say = (server: TestServer, text: string, roomId = "lobby", userId = "ann") =>
  server.rooms.submit({ roomId, userId, text });
const textOf = (event: SseEvent | undefined) => (event?.json as Message | undefined)?.text;

/** Opens a stream and reads its `ready` event. */
async function ready(server: TestServer, path: string, headers?: Record<string, string>) {
  const stream = await server.stream(path, headers === undefined ? {} : { headers });
  expect(stream.status).toBe(200);
  const first = await stream.next();
  expect(first?.event).toBe("ready");
  return { stream, ready: first?.json as { roomId: string; members: string[]; lastId: string | null } };
}

/** Proves nothing else is queued on `stream`: a marker submitted now is its next event. */
async function expectNextIsSentinel(server: TestServer, stream: SseConnection, roomId = "lobby") {
  await say(server, "sentinel", roomId, "sentinel");
  const next = await stream.next();
  expect(next?.event).toBe("message");
  expect(textOf(next)).toBe("sentinel");
}

describe("GET /stream/:roomId framing", () => {
  it("answers 200 text/event-stream, not cached, and starts with a retry hint", async () => {
    const server = await startTestServer(disposer);
    const stream = await server.stream("/stream/lobby");
    expect(stream.status).toBe(200);
    expect(stream.headers["content-type"]).toMatch(/^text\/event-stream/);
    expect(stream.headers["cache-control"]).toContain("no-cache");
    expect(await stream.nextFrame()).toEqual({ retry: 1000, comments: [] });
  });

  it("sends ready first with roomId, members, lastId and recovered null when no cursor is given", async () => {
    const server = await startTestServer(disposer);
    const last = await say(server, "before");
    const stream = await server.stream("/stream/lobby");
    await stream.nextFrame();
    const frame = await stream.nextFrame();
    expect(frame).toEqual({ event: "ready", data: expect.any(String), comments: [] });
    expect(JSON.parse(frame?.data ?? "")).toEqual({
      roomId: "lobby",
      members: [],
      lastId: last.id,
      recovered: null,
    });
  });

  it("sends ready with lastId null in a room with no messages", async () => {
    const server = await startTestServer(disposer);
    const { ready: first } = await ready(server, "/stream/empty-room");
    expect(first).toEqual({ roomId: "empty-room", members: [], lastId: null, recovered: null });
  });

  it("is live only without a cursor: history from before the stream is not replayed", async () => {
    const server = await startTestServer(disposer);
    await say(server, "old one");
    await say(server, "old two");
    const { stream } = await ready(server, "/stream/lobby");
    await expectNextIsSentinel(server, stream);
  });

  it("writes a message as id: <id>, event: message, data: <message JSON>", async () => {
    const server = await startTestServer(disposer);
    const { stream } = await ready(server, "/stream/lobby");
    const sent = await say(server, "hello\nsecond line");
    const frame = await stream.nextFrame();
    expect(frame).toEqual({ id: sent.id, event: "message", data: JSON.stringify(sent), comments: [] });
  });

  it("puts id: lines only on message frames, never on ready, presence or deleted frames", async () => {
    const server = await startTestServer(disposer);
    const watcher = await server.stream("/stream/lobby");
    const bob = await server.stream("/stream/lobby?userId=bob");
    await bob.next();
    await say(server, "hi");
    const frames: SseFrame[] = [];
    const readUntil = async (event: string) => {
      for (let frame = await watcher.nextFrame(); frame !== undefined; frame = await watcher.nextFrame()) {
        frames.push(frame);
        if (frame.event === event) return;
      }
    };
    await readUntil("message");
    bob.close();
    await readUntil("left");
    await server.rooms.deleteRoom("lobby");
    await readUntil("the end");
    expect(frames.map((f) => f.event)).toEqual([undefined, "ready", "joined", "message", "left", "deleted"]);
    for (const frame of frames) expect("id" in frame).toBe(frame.event === "message");
  });

  it("sends a comment heartbeat on an idle stream", async () => {
    const server = await startTestServer(disposer, { app: { heartbeatMs: 20 } });
    const { stream } = await ready(server, "/stream/lobby");
    const frame = await stream.nextFrame();
    expect(frame).toEqual({ comments: ["heartbeat"] });
    // A heartbeat is not an event: the next event is still the next message.
    await expectNextIsSentinel(server, stream);
  });
});

describe("GET /stream/:roomId resume", () => {
  async function roomWithThree(server: TestServer) {
    return [await say(server, "one"), await say(server, "two"), await say(server, "three")];
  }

  it("replays what followed the Last-Event-ID header, then goes live, with recovered true", async () => {
    const server = await startTestServer(disposer);
    const [one, , three] = await roomWithThree(server);
    const { stream, ready: first } = await ready(server, "/stream/lobby", { "last-event-id": one?.id ?? "" });
    expect(first).toMatchObject({ lastId: three?.id, recovered: true });
    const replayed = await stream.take(2);
    expect(replayed.map((e) => [e.id, textOf(e)])).toEqual([
      [expect.any(String), "two"],
      [three?.id, "three"],
    ]);
    const live = await say(server, "four");
    const next = await stream.next();
    expect([next?.id, textOf(next)]).toEqual([live.id, "four"]);
  });

  it("replays what followed ?since= the same way", async () => {
    const server = await startTestServer(disposer);
    const [, two] = await roomWithThree(server);
    const { stream, ready: first } = await ready(server, `/stream/lobby?since=${two?.id}`);
    expect(first).toMatchObject({ recovered: true });
    expect(textOf(await stream.next())).toBe("three");
    await expectNextIsSentinel(server, stream);
  });

  it("prefers Last-Event-ID over ?since=, so a reconnecting EventSource does not get a replay twice", async () => {
    const server = await startTestServer(disposer);
    const [one, two] = await roomWithThree(server);
    const { stream } = await ready(server, `/stream/lobby?since=${one?.id}`, {
      "last-event-id": two?.id ?? "",
    });
    expect(textOf(await stream.next())).toBe("three");
    await expectNextIsSentinel(server, stream);
  });

  it("names the Last-Event-ID header in its error, with an example id of the real format", async () => {
    const server = await startTestServer(disposer);
    const [one] = await roomWithThree(server);
    const error = await errorOf(await server.fetch("/stream/lobby", { headers: { "last-event-id": "42" } }));
    expect(error).toMatchObject({ status: 400, code: "invalid_cursor" });
    expect(error.message).toMatch(
      /^Expected `Last-Event-ID` to be a message id such as "([^"]+)", got "42"$/,
    );
    const example = /such as "([^"]+)"/.exec(error.message)?.[1] as string;
    // Shaped like the ids the server hands out: the same epoch length, an offset.
    expect(example.replace(/-\d+$/, "").length).toBe(one?.id.replace(/-\d+$/, "").length);
    const since = await errorOf(await server.fetch("/stream/lobby?since=42"));
    expect(since.message).toContain("Expected `since`");
  });

  it("replays nothing and says recovered true for a cursor at the latest message", async () => {
    const server = await startTestServer(disposer);
    const [, , three] = await roomWithThree(server);
    const { stream, ready: first } = await ready(server, `/stream/lobby?since=${three?.id}`);
    expect(first).toMatchObject({ recovered: true, lastId: three?.id });
    await expectNextIsSentinel(server, stream);
  });

  it("says recovered false for a cursor from another epoch (room deleted and recreated) and replays what is retained", async () => {
    const server = await startTestServer(disposer);
    const [, , three] = await roomWithThree(server);
    await server.rooms.deleteRoom("lobby");
    const reborn = await say(server, "after the deletion");
    expect(reborn.id).not.toBe(three?.id);
    const { stream, ready: first } = await ready(server, `/stream/lobby?since=${three?.id}`);
    expect(first).toMatchObject({ recovered: false, lastId: reborn.id });
    const next = await stream.next();
    expect([next?.id, textOf(next)]).toEqual([reborn.id, "after the deletion"]);
    await expectNextIsSentinel(server, stream);
  });

  it("says recovered false for a cursor older than the retained history and replays what is retained", async () => {
    const server = await startTestServer(disposer, { rooms: { historyLimit: 3 } });
    const first = await say(server, "m1");
    for (let i = 2; i <= 5; i++) await say(server, `m${i}`);
    const { stream, ready: info } = await ready(server, `/stream/lobby?since=${first.id}`);
    expect(info).toMatchObject({ recovered: false });
    expect((await stream.take(3)).map(textOf)).toEqual(["m3", "m4", "m5"]);
    await expectNextIsSentinel(server, stream);
  });
});

describe("GET /stream/:roomId presence", () => {
  it("sends joined and left frames with {roomId, userId} when a user opens and closes a stream", async () => {
    const server = await startTestServer(disposer);
    const { stream: watcher } = await ready(server, "/stream/lobby");
    const { stream: bob } = await ready(server, "/stream/lobby?userId=bob");
    expect(await watcher.next()).toEqual({
      id: undefined,
      event: "joined",
      data: JSON.stringify({ roomId: "lobby", userId: "bob" }),
      json: { roomId: "lobby", userId: "bob" },
    });
    bob.close();
    expect(await watcher.next()).toMatchObject({ id: undefined, event: "left", json: { userId: "bob" } });
  });

  it("lists present users in ready.members of a later stream", async () => {
    const server = await startTestServer(disposer);
    await ready(server, "/stream/lobby?userId=bob");
    await ready(server, "/stream/lobby?userId=ann");
    const { ready: info } = await ready(server, "/stream/lobby");
    expect(info.members).toEqual(["ann", "bob"]);
  });

  it("does not announce a user's second stream, and announces left only when the last one closes", async () => {
    const server = await startTestServer(disposer);
    const { stream: watcher } = await ready(server, "/stream/lobby");
    const { stream: tab1 } = await ready(server, "/stream/lobby?userId=bob");
    expect((await watcher.next())?.event).toBe("joined");
    const { stream: tab2 } = await ready(server, "/stream/lobby?userId=bob");
    tab1.close();
    await expectNextIsSentinel(server, watcher);
    tab2.close();
    expect(await watcher.next()).toMatchObject({ event: "left", json: { userId: "bob" } });
  });
});

describe("GET /stream/:roomId ending", () => {
  it("sends event: deleted with data {roomId} when the room is deleted, then ends the response", async () => {
    const server = await startTestServer(disposer);
    const { stream } = await ready(server, "/stream/lobby");
    expect((await server.fetch("/room/lobby", { method: "DELETE" })).status).toBe(204);
    const frame = await stream.nextFrame();
    expect(frame).toEqual({ event: "deleted", data: JSON.stringify({ roomId: "lobby" }), comments: [] });
    expect(await stream.nextFrame()).toBeUndefined();
    expect(await stream.ended).toBe("end");
  });

  it("ends every stream cleanly when the RoomManager closes, and refuses new streams with 503", async () => {
    const server = await startTestServer(disposer);
    const { stream: a } = await ready(server, "/stream/lobby");
    const { stream: b } = await ready(server, "/stream/other");
    await server.rooms.close();
    expect(await a.next()).toBeUndefined();
    expect(await b.next()).toBeUndefined();
    expect(await a.ended).toBe("end");
    expect(await b.ended).toBe("end");
    expect(await errorOf(await server.fetch("/stream/lobby"))).toMatchObject({
      status: 503,
      code: "shutting_down",
    });
  });

  it("refuses a stream past maxStreams with 503 too_many_streams, and the open one keeps working", async () => {
    const server = await startTestServer(disposer, { app: { maxStreams: 1 } });
    const { stream } = await ready(server, "/stream/lobby");
    const refused = await server.stream("/stream/lobby");
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: "too_many_streams" } });
    await expectNextIsSentinel(server, stream);
  });
});

describe("GET /stream/:roomId delivery", () => {
  it("delivers 1,000 quick posts in the order they were accepted, with increasing ids", async () => {
    const server = await startTestServer(disposer);
    const { stream } = await ready(server, "/stream/lobby");
    const posted: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const response = await server.postJson("/room/lobby", { userId: "ann", text: `n${i}` });
      expect(response.status).toBe(201);
      posted.push(((await response.json()) as Message).id);
    }
    const received = await stream.take(1000);
    expect(received.map(textOf)).toEqual(posted.map((_, i) => `n${i}`));
    expect(received.map((e) => e.id)).toEqual(posted);
    const offsets = posted.map((id) => Number(id.split("-").at(-1)));
    expect(offsets).toEqual(offsets.map((_, i) => i + 1));
    await expectNextIsSentinel(server, stream);
  });

  it("keeps rooms apart: a stream gets only its own room's messages", async () => {
    const server = await startTestServer(disposer);
    const { stream: red } = await ready(server, "/stream/red");
    const { stream: blue } = await ready(server, "/stream/blue");
    await say(server, "for red", "red");
    await say(server, "for blue", "blue");
    await ready(server, "/stream/blue?userId=bob");
    expect(textOf(await red.next())).toBe("for red");
    await expectNextIsSentinel(server, red, "red");
    expect(textOf(await blue.next())).toBe("for blue");
    expect(await blue.next()).toMatchObject({ event: "joined" });
    await expectNextIsSentinel(server, blue, "blue");
  });
});

describe("GET /stream/:roomId on a keep-alive connection", () => {
  it("streams behind an earlier request of the same connection that is still being answered", async () => {
    const server = await startTestServer(disposer);
    const socket = connect(server.port, "127.0.0.1");
    disposer.defer(() => socket.destroy());
    await once(socket, "connect");
    let received = "";
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString();
    });
    // Pipelined: the stream's response must wait for the POST's, which needs its body parsed first.
    const body = JSON.stringify({ userId: "ann", text: "first" });
    socket.write(
      `POST /room/lobby HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}` +
        "GET /stream/lobby?userId=bob HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    await expect.poll(() => received, { timeout: 5_000 }).toContain("event: ready");
    expect(received).toMatch(/^HTTP\/1\.1 201 [\s\S]*HTTP\/1\.1 200 [\s\S]*event: ready/);
    await server.rooms.submit({ roomId: "lobby", userId: "ann", text: "second" });
    await expect.poll(() => received, { timeout: 5_000 }).toContain('"text":"second"');
  });
});
