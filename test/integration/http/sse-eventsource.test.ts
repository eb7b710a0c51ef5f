import { EventSource, type FetchLike } from "eventsource";
import { afterEach, describe, expect, it } from "vitest";
import type { Message } from "../../../src/rooms/index.js";
import { Disposer, startTestServer, type TestServer } from "../../helpers/http-server.js";

const disposer = new Disposer();
afterEach(() => disposer.dispose());

interface Received {
  readonly type: string;
  readonly lastEventId: string;
  readonly data: unknown;
}

/**
 * The `eventsource` npm client with every event it dispatches (ready, message,
 * joined, left, deleted, error) in one queue, and the Last-Event-ID header of
 * every request it made.
 */
function openEventSource(url: string) {
  const queue: Received[] = [];
  const waiters: ((event: Received) => void)[] = [];
  const lastEventIds: (string | null)[] = [];
  const recordingFetch: FetchLike = (input, init) => {
    lastEventIds.push(new Headers(init.headers).get("last-event-id"));
    return fetch(input, init);
  };
  const source = disposer.add(new EventSource(url, { fetch: recordingFetch }), (s) => s.close());
  const push = (event: Received) => {
    const waiter = waiters.shift();
    if (waiter === undefined) queue.push(event);
    else waiter(event);
  };
  for (const type of ["ready", "message", "joined", "left", "deleted"]) {
    source.addEventListener(type, (event) =>
      push({ type, lastEventId: event.lastEventId, data: JSON.parse(event.data) as unknown }),
    );
  }
  source.addEventListener("error", () => push({ type: "error", lastEventId: "", data: null }));
  const next = (): Promise<Received> => {
    const queued = queue.shift();
    return queued === undefined ? new Promise((resolve) => waiters.push(resolve)) : Promise.resolve(queued);
  };
  return {
    source,
    lastEventIds,
    next,
    /** Waits for the next event of `type`, collecting the ones skipped on the way. */
    async until(type: string, skipped: Received[] = []): Promise<Received> {
      for (;;) {
        const event = await next();
        if (event.type === type) return event;
        skipped.push(event);
      }
    },
  };
}

const say = (server: TestServer, text: string) =>
  server.rooms.submit({ roomId: "lobby", userId: "ann", text });
const texts = (events: Received[]) =>
  events.filter((e) => e.type === "message").map((e) => (e.data as Message).text);

/**
 * Streams `one`, `two`, `three` to an EventSource, runs `cut` (which must drop
 * the connection), submits `four` and `five` while the client is away, and
 * checks it comes back by itself, resumes after `three` with Last-Event-ID and
 * then sees `six` live: every message once, in order.
 */
async function expectResumeAfter(server: TestServer, url: string, cut: () => Promise<void>) {
  const client = openEventSource(`${url}/stream/lobby`);
  expect(await client.next()).toMatchObject({ type: "ready", data: { recovered: null } });
  const received: Received[] = [];
  const sent = [await say(server, "one"), await say(server, "two"), await say(server, "three")];
  for (let i = 0; i < 3; i++) received.push(await client.next());

  await cut();
  expect((await client.next()).type).toBe("error");
  expect(client.source.readyState).toBe(EventSource.CONNECTING);
  sent.push(await say(server, "four"), await say(server, "five"));

  const ready = await client.until("ready", received);
  expect(ready.data).toMatchObject({ recovered: true, lastId: sent[4]?.id });
  expect(client.lastEventIds).toEqual([null, sent[2]?.id]);
  sent.push(await say(server, "six"));
  for (let i = 0; i < 3; i++) received.push(await client.next());

  expect(texts(received)).toEqual(["one", "two", "three", "four", "five", "six"]);
  const ids = received.filter((e) => e.type === "message").map((e) => e.lastEventId);
  expect(ids).toEqual(sent.map((m) => m.id));
}

describe("the eventsource npm client", () => {
  it("receives ready, messages with their ids, presence and deleted", async () => {
    const server = await startTestServer(disposer);
    const client = openEventSource(`${server.url}/stream/lobby`);
    expect(await client.next()).toEqual({
      type: "ready",
      lastEventId: "",
      data: { roomId: "lobby", members: [], lastId: null, recovered: null },
    });
    const sent = await say(server, "hello");
    expect(await client.next()).toEqual({ type: "message", lastEventId: sent.id, data: sent });
    const bob = await server.stream("/stream/lobby?userId=bob");
    expect(await client.next()).toMatchObject({ type: "joined", data: { roomId: "lobby", userId: "bob" } });
    bob.close();
    expect(await client.next()).toMatchObject({ type: "left", data: { userId: "bob" } });
    await server.rooms.deleteRoom("lobby");
    expect(await client.next()).toMatchObject({ type: "deleted", data: { roomId: "lobby" } });
  });

  it("reconnects after the server cuts its socket and resumes with Last-Event-ID, with no gap and no duplicate", async () => {
    const server = await startTestServer(disposer);
    await expectResumeAfter(server, server.url, async () => {
      for (const socket of server.sockets()) socket.destroy();
    });
  });

  it("reconnects to a server restarted on the same port with the same rooms and resumes with no gap and no duplicate", async () => {
    const first = await startTestServer(disposer);
    await expectResumeAfter(first, first.url, async () => {
      await first.close(0);
      await startTestServer(disposer, { rooms: first.rooms, port: first.port });
    });
  });
});
