import { afterEach, describe, expect, it } from "vitest";
import type { Message, RoomInfo } from "../../../src/rooms/index.js";
import { Disposer, errorOf, startTestServer } from "../../helpers/http-server.js";
import { cursorOfLostHistory } from "../../helpers/rooms.js";

const disposer = new Disposer();
afterEach(() => disposer.dispose());

const MESSAGE_ID = /^[0-9a-z]+-[1-9][0-9]*$/;
const form = (fields: Record<string, string>) => ({
  method: "POST",
  redirect: "manual" as const,
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});
const asJson = { headers: { accept: "application/json" } };

describe("POST /room/:roomId", () => {
  it("stores a JSON post and answers 201 with the stored message", async () => {
    const server = await startTestServer(disposer);
    const response = await server.postJson("/room/lobby", { userId: "ann", text: "hello" });
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const message = (await response.json()) as Message;
    expect(message).toEqual({
      id: expect.stringMatching(MESSAGE_ID),
      roomId: "lobby",
      userId: "ann",
      text: "hello",
      sentAt: expect.any(String),
    });
    expect(new Date(message.sentAt).toISOString()).toBe(message.sentAt);
    expect(await server.rooms.history("lobby")).toEqual([message]);
  });

  it("stores a form post and answers 303 back to the room page, keeping the user name", async () => {
    const server = await startTestServer(disposer);
    const response = await server.fetch("/room/lobby", form({ user: "ann b", message: "from a form" }));
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/room/lobby?user=ann%20b#latest");
    const [stored] = await server.rooms.history("lobby");
    expect(stored).toMatchObject({ userId: "ann b", text: "from a form" });
  });

  it("stores a form's CRLF line breaks (a browser's textarea) as LF; JSON keeps what it was sent", async () => {
    const server = await startTestServer(disposer);
    await server.fetch("/room/lobby", form({ user: "ann", message: "one\r\ntwo\rthree" }));
    expect((await server.postJson("/room/lobby", { userId: "ann", text: "a\r\nb" })).status).toBe(201);
    expect((await server.rooms.history("lobby")).map((m) => m.text)).toEqual(["one\ntwo\nthree", "a\r\nb"]);
  });

  it("accepts a JSON body whose content type carries a charset", async () => {
    const server = await startTestServer(disposer);
    const response = await server.postJson(
      "/room/lobby",
      { userId: "ann", text: "hi" },
      { "content-type": "application/json; charset=utf-8" },
    );
    expect(response.status).toBe(201);
  });
});

describe("GET /room/:roomId", () => {
  it("answers the room state as JSON", async () => {
    const server = await startTestServer(disposer);
    await server.rooms.submit({ roomId: "lobby", userId: "ann", text: "one" });
    const last = await server.rooms.submit({ roomId: "lobby", userId: "ann", text: "two" });
    const response = await server.fetch("/room/lobby", asJson);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      roomId: "lobby",
      name: "lobby",
      listeners: 0,
      members: [],
      messageCount: 2,
      lastMessageId: last.id,
      createdAt: expect.any(String),
    });
  });

  it("answers JSON to a client that accepts anything (curl's */*)", async () => {
    const server = await startTestServer(disposer);
    await server.rooms.submit({ roomId: "lobby", userId: "ann", text: "one" });
    const response = await server.fetch("/room/lobby", { headers: { accept: "*/*" } });
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(((await response.json()) as RoomInfo).roomId).toBe("lobby");
  });

  it("lists the members with an open stream", async () => {
    const server = await startTestServer(disposer);
    const stream = await server.stream("/stream/lobby?userId=ann");
    await stream.next();
    const room = (await (await server.fetch("/room/lobby", asJson)).json()) as RoomInfo;
    expect(room).toMatchObject({ listeners: 1, members: ["ann"] });
  });

  it("answers 404 with the JSON error shape for a room that does not exist", async () => {
    const server = await startTestServer(disposer);
    const error = await errorOf(await server.fetch("/room/nowhere", asJson));
    expect(error).toMatchObject({ status: 404, code: "room_not_found" });
    expect(error.message).toContain("nowhere");
  });
});

describe("DELETE /room/:roomId", () => {
  it("answers 204 with no body and the room is gone", async () => {
    const server = await startTestServer(disposer);
    await server.rooms.submit({ roomId: "lobby", userId: "ann", text: "one" });
    const response = await server.fetch("/room/lobby", { method: "DELETE" });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    expect((await errorOf(await server.fetch("/room/lobby", asJson))).status).toBe(404);
    expect(await server.rooms.listRooms()).toEqual([]);
  });

  it("answers 404 for a room that does not exist, and for one already deleted", async () => {
    const server = await startTestServer(disposer);
    expect(await errorOf(await server.fetch("/room/nowhere", { method: "DELETE" }))).toMatchObject({
      status: 404,
      code: "room_not_found",
    });
    await server.rooms.submit({ roomId: "lobby", userId: "ann", text: "one" });
    expect((await server.fetch("/room/lobby", { method: "DELETE" })).status).toBe(204);
    expect((await errorOf(await server.fetch("/room/lobby", { method: "DELETE" }))).status).toBe(404);
  });
});

describe("GET /room/:roomId/messages", () => {
  async function roomWithTen() {
    const server = await startTestServer(disposer);
    const sent: Message[] = [];
    for (let i = 1; i <= 10; i++) {
      sent.push(await server.rooms.submit({ roomId: "lobby", userId: "ann", text: `m${i}` }));
    }
    const texts = async (query: string) => {
      const response = await server.fetch(`/room/lobby/messages${query}`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { roomId: string; messages: Message[] };
      expect(body.roomId).toBe("lobby");
      return body.messages.map((m) => m.text);
    };
    return { server, sent, texts };
  }

  it("answers the history oldest first", async () => {
    const { texts } = await roomWithTen();
    expect(await texts("")).toEqual(["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10"]);
  });

  it("answers the latest N, oldest first, for limit alone", async () => {
    const { texts } = await roomWithTen();
    expect(await texts("?limit=3")).toEqual(["m8", "m9", "m10"]);
  });

  it("pages forward with since and limit: the first N after that id", async () => {
    const { sent, texts } = await roomWithTen();
    expect(await texts(`?since=${sent[2]?.id}&limit=3`)).toEqual(["m4", "m5", "m6"]);
    expect(await texts(`?since=${sent[5]?.id}&limit=3`)).toEqual(["m7", "m8", "m9"]);
    expect(await texts(`?since=${sent[8]?.id}&limit=3`)).toEqual(["m10"]);
    expect(await texts(`?since=${sent[9]?.id}&limit=3`)).toEqual([]);
  });

  it("answers the full messages as stored", async () => {
    const { server, sent } = await roomWithTen();
    const body = (await (await server.fetch("/room/lobby/messages?limit=2")).json()) as {
      messages: Message[];
    };
    expect(body.messages).toEqual(sent.slice(-2));
  });

  it("says with `recovered` whether the page follows `since`, or messages may be missing before it", async () => {
    const server = await startTestServer(disposer, { rooms: { historyLimit: 5 } });
    const sent: Message[] = [];
    for (let i = 1; i <= 10; i++)
      sent.push(await server.rooms.submit({ roomId: "lobby", userId: "ann", text: `m${i}` }));
    const page = async (query: string) =>
      (await (await server.fetch(`/room/lobby/messages${query}`)).json()) as {
        messages: Message[];
        recovered: boolean | null;
      };
    expect((await page("")).recovered).toBeNull();
    const following = await page(`?since=${sent[7]?.id}`);
    expect(following).toMatchObject({ recovered: true, messages: sent.slice(8) });
    // m1 was trimmed long ago: the page starts at the oldest retained message, m6.
    const trimmed = await page(`?since=${sent[0]?.id}`);
    expect(trimmed).toMatchObject({ recovered: false, messages: sent.slice(5) });
    // A cursor of a history that was lost (another epoch: the store restarted empty).
    const lost = cursorOfLostHistory(sent[2]?.id as string);
    expect(await page(`?since=${lost}`)).toMatchObject({ recovered: false, messages: sent.slice(5) });
  });

  it("answers 404 for a room that does not exist", async () => {
    const server = await startTestServer(disposer);
    expect(await errorOf(await server.fetch("/room/nowhere/messages"))).toMatchObject({
      status: 404,
      code: "room_not_found",
    });
  });
});

describe("/rooms", () => {
  it("GET lists every room with its state, sorted by id", async () => {
    const server = await startTestServer(disposer);
    await server.rooms.submit({ roomId: "zebra", userId: "ann", text: "z" });
    await server.rooms.submit({ roomId: "alpha", userId: "ann", text: "a" });
    const response = await server.fetch("/rooms");
    expect(response.status).toBe(200);
    const { rooms } = (await response.json()) as { rooms: RoomInfo[] };
    expect(rooms.map((r) => [r.roomId, r.messageCount])).toEqual([
      ["alpha", 1],
      ["zebra", 1],
    ]);
  });

  it("GET answers an empty list before any room exists", async () => {
    const server = await startTestServer(disposer);
    expect(await (await server.fetch("/rooms")).json()).toEqual({ rooms: [] });
  });

  it("POST creates a room with a generated id and a friendly name: 201 {roomId, name}", async () => {
    const server = await startTestServer(disposer);
    const response = await server.fetch("/rooms", { method: "POST" });
    expect(response.status).toBe(201);
    const created = (await response.json()) as { roomId: string; name: string };
    expect(Object.keys(created).sort()).toEqual(["name", "roomId"]);
    expect(created.roomId).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
    expect(created.name).not.toBe("");
    expect(response.headers.get("location")).toBe(`/room/${created.roomId}`);
    const room = (await (await server.fetch(`/room/${created.roomId}`, asJson)).json()) as RoomInfo;
    expect(room).toMatchObject({ roomId: created.roomId, name: created.name, messageCount: 0 });
  });

  it("POST creates a different room each time", async () => {
    const server = await startTestServer(disposer);
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      ids.add(
        ((await (await server.fetch("/rooms", { method: "POST" })).json()) as { roomId: string }).roomId,
      );
    }
    expect(ids.size).toBe(5);
    expect((await server.rooms.listRooms()).length).toBe(5);
  });

  it("POST from a browser form answers 303 to the new room's page", async () => {
    const server = await startTestServer(disposer);
    const response = await server.fetch("/rooms", form({}));
    expect(response.status).toBe(303);
    const [room] = await server.rooms.listRooms();
    expect(response.headers.get("location")).toBe(`/room/${room?.roomId}`);
  });
});

describe("GET /healthz", () => {
  it("answers 200 {status: ok} while the server can serve, and 503 once it cannot", async () => {
    let serving = true;
    const server = await startTestServer(disposer, { app: { isServing: () => serving } });
    const ok = await server.fetch("/healthz");
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: "ok" });
    serving = false;
    expect(await errorOf(await server.fetch("/healthz"))).toMatchObject({
      status: 503,
      code: "shutting_down",
    });
    serving = true;
    expect((await server.fetch("/healthz")).status).toBe(200);
  });
});

describe("a known path with a method it does not answer", () => {
  it("answers 405 with the methods in Allow, and changes nothing", async () => {
    const server = await startTestServer(disposer);
    await server.rooms.submit({ roomId: "lobby", userId: "ann", text: "kept" });
    const cases = [
      { method: "PUT", path: "/room/lobby", allow: "DELETE, GET, HEAD, POST" },
      { method: "PATCH", path: "/room/lobby/messages", allow: "GET, HEAD" },
      { method: "DELETE", path: "/rooms", allow: "GET, HEAD, POST" },
      { method: "POST", path: "/healthz", allow: "GET, HEAD" },
    ];
    for (const { method, path, allow } of cases) {
      const response = await server.fetch(path, { method });
      expect(response.headers.get("allow"), `${method} ${path}`).toBe(allow);
      expect(await errorOf(response)).toMatchObject({
        status: 405,
        code: "method_not_allowed",
        message: `${path} answers ${allow}, not ${method}`,
      });
    }
    expect((await server.rooms.history("lobby")).map((m) => m.text)).toEqual(["kept"]);
  });

  it("lists in Allow only methods the path answers: no HEAD for a stream, GET and HEAD for an asset, as JSON", async () => {
    const server = await startTestServer(disposer);
    const stream = await server.fetch("/stream/lobby", { method: "PUT" });
    expect(stream.headers.get("allow")).toBe("GET");
    expect((await server.fetch("/stream/lobby", { method: "HEAD" })).headers.get("allow")).toBe("GET");
    for (const method of ["PUT", "POST", "DELETE"]) {
      const asset = await server.fetch("/assets/room.js", { method });
      expect(asset.headers.get("allow"), method).toBe("GET, HEAD");
      expect(await errorOf(asset)).toMatchObject({ status: 405, code: "method_not_allowed" });
    }
    expect((await server.fetch("/assets/room.js", { method: "HEAD" })).status).toBe(200);
  });

  it("still answers 404 for a path no route has", async () => {
    const server = await startTestServer(disposer);
    const response = await server.fetch("/nowhere", { method: "PUT" });
    expect(response.headers.get("allow")).toBeNull();
    expect(await errorOf(response)).toMatchObject({ status: 404, code: "not_found" });
  });
});
