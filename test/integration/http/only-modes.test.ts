import { afterEach, describe, expect, it } from "vitest";
import type { Message, RoomInfo } from "../../../src/rooms/index.js";
import { Disposer, errorOf, startTestServer } from "../../helpers/http-server.js";

const disposer = new Disposer();
afterEach(() => disposer.dispose());

const browser = { headers: { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" } };
const form = (fields: Record<string, string>) => ({
  method: "POST",
  redirect: "manual" as const,
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});

describe("the HTML adapter alone ({rest: false})", () => {
  const htmlOnly = () => startTestServer(disposer, { app: { rest: false } });

  it("serves the index page, the room page and the page's own assets", async () => {
    const server = await htmlOnly();
    const index = await server.fetch("/", browser);
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toMatch(/^text\/html/);
    const page = await server.fetch("/room/lobby", browser);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('data-room-id="lobby"');
    expect((await server.fetch("/assets/room.js")).status).toBe(200);
    expect((await server.fetch("/assets/chat.css")).status).toBe(200);
  });

  it("accepts a form post with 303 and the page script's JSON post with 201", async () => {
    const server = await htmlOnly();
    const posted = await server.fetch("/room/lobby", form({ user: "ann", message: "by form" }));
    expect(posted.status).toBe(303);
    expect(posted.headers.get("location")).toBe("/room/lobby?user=ann#latest");
    expect((await server.postJson("/room/lobby", { userId: "ann", text: "by script" })).status).toBe(201);
    expect((await server.rooms.history("lobby")).map((m) => m.text)).toEqual(["by form", "by script"]);
  });

  it("serves /stream/:roomId and /room/:roomId/messages, which the page calls", async () => {
    const server = await htmlOnly();
    const first = await server.rooms.submit({ roomId: "lobby", userId: "ann", text: "one" });
    const stream = await server.stream(`/stream/lobby?since=${first.id}&userId=ann`);
    expect(stream.status).toBe(200);
    expect((await stream.next())?.json).toMatchObject({ roomId: "lobby", recovered: true, members: ["ann"] });
    const second = await server.rooms.submit({ roomId: "lobby", userId: "ann", text: "two" });
    expect((await stream.next())?.id).toBe(second.id);
    const history = await server.fetch("/room/lobby/messages", { headers: { accept: "application/json" } });
    expect(history.status).toBe(200);
    expect(((await history.json()) as { messages: Message[] }).messages).toEqual([first, second]);
  });

  it("creates a room from the page's button (POST /rooms form) with 303 to it", async () => {
    const server = await htmlOnly();
    const response = await server.fetch("/rooms", form({}));
    expect(response.status).toBe(303);
    const [room] = await server.rooms.listRooms();
    expect(response.headers.get("location")).toBe(`/room/${room?.roomId}`);
  });

  it("has no DELETE /room/:roomId: 405 with the pages' methods in Allow, and the room survives", async () => {
    const server = await htmlOnly();
    await server.rooms.submit({ roomId: "lobby", userId: "ann", text: "one" });
    const response = await server.fetch("/room/lobby", { method: "DELETE" });
    expect(response.headers.get("allow")).toBe("GET, HEAD, POST");
    expect(await errorOf(response)).toMatchObject({ status: 405, code: "method_not_allowed" });
    expect((await server.rooms.getRoom("lobby")).messageCount).toBe(1);
  });

  it("has no GET /rooms: 405, since the pages only POST there (the new-room button)", async () => {
    const server = await htmlOnly();
    const response = await server.fetch("/rooms");
    expect(response.headers.get("allow")).toBe("POST");
    expect(await errorOf(response)).toMatchObject({ status: 405, code: "method_not_allowed" });
  });

  it("has no JSON room state: GET /room/:roomId for JSON is 404 not_found", async () => {
    const server = await htmlOnly();
    await server.rooms.submit({ roomId: "lobby", userId: "ann", text: "one" });
    const response = await server.fetch("/room/lobby", { headers: { accept: "application/json" } });
    expect(await errorOf(response)).toMatchObject({ status: 404, code: "not_found" });
  });
});

describe("the REST adapter alone ({html: false})", () => {
  const restOnly = () => startTestServer(disposer, { app: { html: false } });

  it("answers GET /room/:roomId with JSON even when a browser asks for HTML", async () => {
    const server = await restOnly();
    await server.rooms.submit({ roomId: "lobby", userId: "ann", text: "one" });
    const response = await server.fetch("/room/lobby", browser);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(((await response.json()) as RoomInfo).roomId).toBe("lobby");
  });

  it("answers 404 JSON for a browser asking for a room that does not exist", async () => {
    const server = await restOnly();
    expect(await errorOf(await server.fetch("/room/nowhere", browser))).toMatchObject({
      status: 404,
      code: "room_not_found",
    });
  });

  it("serves no pages and no assets", async () => {
    const server = await restOnly();
    expect((await errorOf(await server.fetch("/", browser))).status).toBe(404);
    expect((await errorOf(await server.fetch("/assets/room.js"))).status).toBe(404);
    expect((await errorOf(await server.fetch("/open?room=lobby"))).status).toBe(404);
  });

  it("still answers a form post with 303 and serves DELETE and GET /rooms", async () => {
    const server = await restOnly();
    const posted = await server.fetch("/room/lobby", form({ user: "ann", message: "hi" }));
    expect(posted.status).toBe(303);
    expect(((await (await server.fetch("/rooms")).json()) as { rooms: RoomInfo[] }).rooms).toHaveLength(1);
    expect((await server.fetch("/room/lobby", { method: "DELETE" })).status).toBe(204);
  });
});

describe("both adapters (the default)", () => {
  it("serves the page to a browser and JSON to an API client at the same URL", async () => {
    const server = await startTestServer(disposer);
    await server.rooms.submit({ roomId: "lobby", userId: "ann", text: "one" });
    const page = await server.fetch("/room/lobby", browser);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const state = await server.fetch("/room/lobby", { headers: { accept: "application/json" } });
    expect(((await state.json()) as RoomInfo).messageCount).toBe(1);
  });

  it("renders the page of a room that does not exist yet as an empty room, without creating it", async () => {
    const server = await startTestServer(disposer);
    const page = await server.fetch("/room/new-room", browser);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("#new-room");
    expect(await server.rooms.listRooms()).toEqual([]);
  });
});
