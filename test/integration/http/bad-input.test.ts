import { afterEach, describe, expect, it } from "vitest";
import type { HttpAppOptions } from "../../../src/index.js";
import { type Message, RoomManager } from "../../../src/rooms/index.js";
import { capturedLogger } from "../../helpers/captured-logger.js";
import { Disposer, errorOf, startTestServer, type TestServer } from "../../helpers/http-server.js";

const disposer = new Disposer();
afterEach(() => disposer.dispose());

interface BadCase {
  readonly name: string;
  readonly send: (server: TestServer) => Promise<Response>;
  readonly status: number;
  readonly code: string;
  /** Text the error message must quote (the bad value, or the limit). */
  readonly quotes?: string;
  readonly app?: HttpAppOptions;
}

const post = (path: string, body: string, contentType?: string) => (server: TestServer) =>
  server.fetch(path, {
    method: "POST",
    headers: contentType === undefined ? {} : { "content-type": contentType },
    body,
  });
/** A body with raw bytes between two texts (what JSON.stringify could never produce). */
const postBytes =
  (path: string, before: string, bytes: number[], after: string, contentType: string) =>
  (server: TestServer) =>
    server.fetch(path, {
      method: "POST",
      headers: { "content-type": contentType },
      body: Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]),
    });
/** A form post to /room/lobby with the given Accept header. */
const formAsking = (accept: string, body: string) => (server: TestServer) =>
  server.fetch("/room/lobby", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept },
    body,
  });
const postJson = (body: unknown, path = "/room/lobby") =>
  post(path, JSON.stringify(body), "application/json");
const get =
  (path: string, headers: Record<string, string> = {}) =>
  (server: TestServer) =>
    server.fetch(path, { headers: { accept: "application/json", ...headers } });
const method = (verb: string, path: string) => (server: TestServer) => server.fetch(path, { method: verb });

const longRoom = "r".repeat(65);
const longUser = "u".repeat(65);

// biome-ignore format: one case per line reads as a table
const cases: BadCase[] = [
  // Bodies that are not a JSON object.
  { name: "truncated JSON", send: post("/room/lobby", '{"userId":"ann",', "application/json"), status: 400, code: "malformed_json" },
  { name: "single-quoted JSON", send: post("/room/lobby", "{'userId':'ann'}", "application/json"), status: 400, code: "malformed_json" },
  { name: "a JSON array", send: postJson([{ userId: "ann", text: "hi" }]), status: 400, code: "invalid_body" },
  { name: "a JSON string", send: postJson("hi"), status: 400, code: "invalid_body" },
  { name: "a JSON number", send: postJson(42), status: 400, code: "invalid_body" },
  { name: "JSON null", send: postJson(null), status: 400, code: "invalid_body" },
  // Missing fields and wrong types.
  { name: "an empty JSON object", send: postJson({}), status: 400, code: "invalid_user_id" },
  { name: "a post without userId", send: postJson({ text: "hi" }), status: 400, code: "invalid_user_id" },
  { name: "a post without text", send: postJson({ userId: "ann" }), status: 400, code: "invalid_text" },
  { name: "a numeric userId", send: postJson({ userId: 42, text: "hi" }), status: 400, code: "invalid_user_id", quotes: "42" },
  { name: "a null userId", send: postJson({ userId: null, text: "hi" }), status: 400, code: "invalid_user_id" },
  { name: "an array userId", send: postJson({ userId: ["ann"], text: "hi" }), status: 400, code: "invalid_user_id" },
  { name: "a numeric text", send: postJson({ userId: "ann", text: 42 }), status: 400, code: "invalid_text" },
  { name: "an array text", send: postJson({ userId: "ann", text: ["hi"] }), status: 400, code: "invalid_text" },
  { name: "an object text", send: postJson({ userId: "ann", text: { hi: 1 } }), status: 400, code: "invalid_text" },
  { name: "a text object with a toString field", send: postJson({ userId: "a", text: { toString: "x" } }), status: 400, code: "invalid_text" },
  { name: "a userId object with a toString field", send: postJson({ userId: { toString: "x" }, text: "hi" }), status: 400, code: "invalid_user_id" },
  // Texts.
  { name: "an empty text", send: postJson({ userId: "ann", text: "" }), status: 400, code: "invalid_text" },
  { name: "a whitespace-only text", send: postJson({ userId: "ann", text: " \t\n  " }), status: 400, code: "invalid_text" },
  { name: "a text with a NUL", send: postJson({ userId: "ann", text: "a\u0000b" }), status: 400, code: "invalid_text" },
  { name: "a 4097-byte ASCII text", send: postJson({ userId: "ann", text: "x".repeat(4097) }), status: 413, code: "message_too_long", quotes: "4097 bytes" },
  { name: "2049 two-byte characters (4098 bytes)", send: postJson({ userId: "ann", text: "é".repeat(2049) }), status: 413, code: "message_too_long", quotes: "4098 bytes" },
  { name: "1025 four-byte emoji (4100 bytes)", send: postJson({ userId: "ann", text: "😀".repeat(1025) }), status: 413, code: "message_too_long", quotes: "4100 bytes" },
  // Texts that are not valid Unicode.
  { name: "a lone surrogate escape in JSON", send: post("/room/lobby", '{"userId":"ann","text":"\\ud800"}', "application/json"), status: 400, code: "invalid_text" },
  { name: "a reversed surrogate pair in JSON", send: post("/room/lobby", '{"userId":"ann","text":"a\\udc00\\ud800"}', "application/json"), status: 400, code: "invalid_text" },
  { name: "invalid UTF-8 bytes ff fe in JSON", send: postBytes("/room/lobby", '{"userId":"ann","text":"', [0xff, 0xfe], '"}', "application/json"), status: 400, code: "invalid_text" },
  { name: "an overlong UTF-8 c0 af in JSON", send: postBytes("/room/lobby", '{"userId":"ann","text":"', [0xc0, 0xaf], '"}', "application/json"), status: 400, code: "invalid_text" },
  { name: "a UTF-8-encoded surrogate in JSON", send: postBytes("/room/lobby", '{"userId":"ann","text":"', [0xed, 0xa0, 0x80], '"}', "application/json"), status: 400, code: "invalid_text" },
  { name: "percent-encoded bytes ff fe in a form (no HTML adapter)", app: { html: false }, send: post("/room/lobby", "user=ann&message=%FF%FE", "application/x-www-form-urlencoded"), status: 400, code: "invalid_text" },
  { name: "a percent-encoded overlong c0 af in a form (no HTML adapter)", app: { html: false }, send: post("/room/lobby", "user=ann&message=%C0%AF", "application/x-www-form-urlencoded"), status: 400, code: "invalid_text" },
  { name: "raw bytes ff fe in a form (no HTML adapter)", app: { html: false }, send: postBytes("/room/lobby", "user=ann&message=", [0xff, 0xfe], "", "application/x-www-form-urlencoded"), status: 400, code: "invalid_text" },
  // Bodies over the body limit.
  { name: "a JSON body over the default 64 KiB", send: postJson({ userId: "ann", text: "x".repeat(70_000) }), status: 413, code: "body_too_large" },
  { name: "a form body over the default 64 KiB", send: post("/room/lobby", `user=ann&message=${"x".repeat(70_000)}`, "application/x-www-form-urlencoded"), status: 413, code: "body_too_large" },
  { name: "a body over a configured 1 KiB limit", app: { bodyLimitBytes: 1024 }, send: postJson({ userId: "ann", text: "x".repeat(2000) }), status: 413, code: "body_too_large" },
  // Content types.
  { name: "text/plain", send: post("/room/lobby", "hi", "text/plain"), status: 415, code: "unsupported_media_type", quotes: "text/plain" },
  { name: "application/xml", send: post("/room/lobby", "<m/>", "application/xml"), status: 415, code: "unsupported_media_type" },
  { name: "no content type", send: post("/room/lobby", "hi"), status: 415, code: "unsupported_media_type" },
  { name: "JSON in a charset the server cannot read", send: post("/room/lobby", '{"userId":"ann","text":"hi"}', "application/json; charset=latin1"), status: 415, code: "unsupported_media_type" },
  // Room ids.
  { name: "a 65-character room id (post)", send: postJson({ userId: "ann", text: "hi" }, `/room/${longRoom}`), status: 400, code: "invalid_room_id", quotes: longRoom },
  { name: "a room id with a space (post)", send: postJson({ userId: "ann", text: "hi" }, "/room/a%20b"), status: 400, code: "invalid_room_id", quotes: '"a b"' },
  { name: "a unicode room id (post)", send: postJson({ userId: "ann", text: "hi" }, "/room/café"), status: 400, code: "invalid_room_id", quotes: "café" },
  { name: "a room id with an encoded slash (post)", send: postJson({ userId: "ann", text: "hi" }, "/room/a%2Fb"), status: 400, code: "invalid_room_id" },
  { name: "a room id that is not valid percent-encoding (post)", send: postJson({ userId: "ann", text: "hi" }, "/room/a%ZZ"), status: 400, code: "bad_request" },
  { name: "a 65-character room id (stream)", send: get(`/stream/${longRoom}`), status: 400, code: "invalid_room_id" },
  { name: "a unicode room id (stream)", send: get("/stream/caf%C3%A9"), status: 400, code: "invalid_room_id" },
  { name: "a room id with a space (state)", send: get("/room/a%20b"), status: 400, code: "invalid_room_id" },
  { name: "a 65-character room id (delete)", send: method("DELETE", `/room/${longRoom}`), status: 400, code: "invalid_room_id" },
  { name: "a unicode room id (history)", send: get("/room/%E2%9C%93/messages"), status: 400, code: "invalid_room_id" },
  // User ids.
  { name: "an empty userId", send: postJson({ userId: "", text: "hi" }), status: 400, code: "invalid_user_id" },
  { name: "a 65-character userId", send: postJson({ userId: longUser, text: "hi" }), status: 400, code: "invalid_user_id", quotes: "64" },
  { name: "a userId with a NUL", send: postJson({ userId: "a\u0000b", text: "hi" }), status: 400, code: "invalid_user_id" },
  { name: "a userId with a newline", send: postJson({ userId: "ann\nbob", text: "hi" }), status: 400, code: "invalid_user_id" },
  { name: "a userId with DEL", send: postJson({ userId: "ann\u007f", text: "hi" }), status: 400, code: "invalid_user_id" },
  { name: "a userId with a C1 control", send: postJson({ userId: "ann\u0085", text: "hi" }), status: 400, code: "invalid_user_id" },
  { name: "a 65-character userId on a stream", send: get(`/stream/lobby?userId=${longUser}`), status: 400, code: "invalid_user_id" },
  { name: "a userId with a control character on a stream", send: get("/stream/lobby?userId=ann%0A"), status: 400, code: "invalid_user_id" },
  // Cursors.
  { name: "a since that is not a cursor (stream)", send: get("/stream/lobby?since=abc"), status: 400, code: "invalid_cursor", quotes: "abc" },
  { name: "a since with offset 0 (stream)", send: get("/stream/lobby?since=abc-0"), status: 400, code: "invalid_cursor" },
  { name: "a Last-Event-ID that is not a cursor", send: get("/stream/lobby", { "last-event-id": "not a cursor" }), status: 400, code: "invalid_cursor" },
  { name: "a since that is not a cursor (history)", send: get("/room/lobby/messages?since=-1"), status: 400, code: "invalid_cursor" },
  { name: "a since with extra parts (history)", send: get("/room/lobby/messages?since=a-b-1"), status: 400, code: "invalid_cursor" },
  { name: "two since parameters (stream)", send: get("/stream/lobby?since=a-1&since=a-2"), status: 400, code: "invalid_query" },
  // Limits.
  { name: "limit=0", send: get("/room/lobby/messages?limit=0"), status: 400, code: "invalid_limit" },
  { name: "limit=-1", send: get("/room/lobby/messages?limit=-1"), status: 400, code: "invalid_limit" },
  { name: "limit=abc", send: get("/room/lobby/messages?limit=abc"), status: 400, code: "invalid_limit" },
  { name: "limit=1.5", send: get("/room/lobby/messages?limit=1.5"), status: 400, code: "invalid_limit" },
  { name: "a limit over the history size", send: get("/room/lobby/messages?limit=1001"), status: 400, code: "invalid_limit", quotes: "1000" },
  { name: "two limit parameters", send: get("/room/lobby/messages?limit=1&limit=2"), status: 400, code: "invalid_query" },
  // Unknown routes.
  { name: "GET /nope", send: get("/nope"), status: 404, code: "not_found", quotes: "/nope" },
  { name: "GET /room", send: get("/room"), status: 404, code: "not_found" },
  { name: "GET /room/lobby/extra", send: get("/room/lobby/extra"), status: 404, code: "not_found" },
  { name: "PUT /room/lobby", send: method("PUT", "/room/lobby"), status: 405, code: "method_not_allowed" },
  { name: "POST /stream/lobby", send: postJson({ userId: "ann", text: "hi" }, "/stream/lobby"), status: 405, code: "method_not_allowed" },
  { name: "DELETE /rooms", send: method("DELETE", "/rooms"), status: 405, code: "method_not_allowed" },
  { name: "a missing asset", send: get("/assets/nope.js"), status: 404, code: "not_found" },
  // Errors follow content negotiation: JSON for a client that asks for JSON, whatever the route.
  { name: "a bad form post that asks for JSON", send: formAsking("application/json", "user=&message=hi"), status: 400, code: "invalid_user_id" },
  { name: "a form post over the text limit that asks for JSON", send: formAsking("application/json", `user=ann&message=${"x".repeat(4097)}`), status: 413, code: "message_too_long" },
  { name: "/open with a bad room name, asking for JSON", send: get("/open?room=a%20b"), status: 400, code: "invalid_room_id", quotes: '"a b"' },
  { name: "a range far past the end of an asset", send: get("/assets/room.js", { range: "bytes=99999999-" }), status: 416, code: "range_not_satisfiable" },
  { name: "a range past the end of an asset, for any type", send: get("/assets/room.js", { accept: "*/*", range: "bytes=99999999-100000000" }), status: 416, code: "range_not_satisfiable" },
];

describe("bad input answers a JSON error, stores nothing, broadcasts nothing, and the server keeps serving", () => {
  const titled = cases.map((bad) => [`${bad.name} → ${bad.status} ${bad.code}`, bad] as const);
  it.each(titled)("%s", async (_title, bad) => {
    const server = await startTestServer(disposer, bad.app === undefined ? {} : { app: bad.app });
    const seed = await server.rooms.submit({ roomId: "lobby", userId: "ann", text: "seed" });
    const watcher = await server.stream("/stream/lobby");
    expect((await watcher.next())?.event).toBe("ready");
    const before = { room: await server.rooms.getRoom("lobby"), rooms: await server.rooms.listRooms() };

    const error = await errorOf(await bad.send(server));
    expect([error.status, error.code]).toEqual([bad.status, bad.code]);
    if (bad.quotes !== undefined) expect(error.message).toContain(bad.quotes);

    // Nothing stored: the history, the room's state and the room list are as they were.
    expect(await server.rooms.history("lobby")).toEqual([seed]);
    expect(await server.rooms.getRoom("lobby")).toEqual(before.room);
    expect(await server.rooms.listRooms()).toEqual(before.rooms);
    // Still serving, and nothing was broadcast: a sentinel posted now is the watcher's next event.
    const sentinel = await server.postJson("/room/lobby", { userId: "sentinel", text: "sentinel" });
    expect(sentinel.status).toBe(201);
    const next = await watcher.next();
    expect([next?.event, (next?.json as Message | undefined)?.text]).toEqual(["message", "sentinel"]);
  });
});

describe("limits are inclusive and counted in UTF-8 bytes", () => {
  it.each([
    ["4096 ASCII bytes", "x".repeat(4096)],
    ["2048 two-byte characters (4096 bytes)", "é".repeat(2048)],
    ["1024 four-byte emoji (4096 bytes)", "😀".repeat(1024)],
  ] as const)("accepts a text of exactly %s", async (_name, text) => {
    const server = await startTestServer(disposer);
    const response = await server.postJson("/room/lobby", { userId: "ann", text });
    expect(response.status).toBe(201);
    expect(((await response.json()) as Message).text).toBe(text);
  });

  it("accepts a user id of 64 characters, counted in code points", async () => {
    const server = await startTestServer(disposer);
    const userId = "😀".repeat(64);
    expect((await server.postJson("/room/lobby", { userId, text: "hi" })).status).toBe(201);
  });

  it("accepts a room id of 64 characters from the allowed set", async () => {
    const server = await startTestServer(disposer);
    const roomId = `A-z_0.9${"r".repeat(57)}`;
    expect((await server.postJson(`/room/${roomId}`, { userId: "ann", text: "hi" })).status).toBe(201);
    expect((await server.rooms.getRoom(roomId)).messageCount).toBe(1);
  });

  it("uses the RoomManager's configured message limit", async () => {
    const server = await startTestServer(disposer, { rooms: { maxMessageBytes: 10 } });
    expect((await server.postJson("/room/lobby", { userId: "ann", text: "é".repeat(5) })).status).toBe(201);
    const error = await errorOf(await server.postJson("/room/lobby", { userId: "ann", text: "é".repeat(6) }));
    expect(error).toMatchObject({ status: 413, code: "message_too_long" });
    expect(error.message).toContain("10 bytes");
  });
});

describe("bad form posts from a browser", () => {
  /** As a browser posts the room page's form. */
  const formPost = (
    fields: Record<string, string>,
    accept = "text/html,application/xhtml+xml,*/*;q=0.8",
  ) => ({
    method: "POST",
    redirect: "manual" as const,
    headers: { "content-type": "application/x-www-form-urlencoded", accept },
    body: new URLSearchParams(fields).toString(),
  });

  it("re-render the room page with the error and the draft, status 400, and store nothing", async () => {
    const server = await startTestServer(disposer);
    const response = await server.fetch("/room/lobby", formPost({ user: "", message: "my <draft>" }));
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    // In words for a person, not the API's "Expected `user` to be…", and the draft kept.
    expect(html).toContain(
      '<p id="error" class="error" role="alert">Your name must be 1 to 64 characters.</p>',
    );
    expect(html).toMatch(/<textarea name="message"[^>]*>my &lt;draft&gt;<\/textarea>/);
    expect(await server.rooms.listRooms()).toEqual([]);
  });

  it("answer curl's form post (Accept: */*) with the JSON error, naming the form's own fields", async () => {
    const server = await startTestServer(disposer);
    // curl -d "text=hi" http://…/room/lobby: a form body, no user, any type accepted.
    const noUser = await errorOf(await server.fetch("/room/lobby", formPost({ text: "hi" }, "*/*")));
    expect(noUser).toMatchObject({ status: 400, code: "invalid_user_id" });
    expect(noUser.message).toBe("Expected `user` to be 1 to 64 characters, got nothing");
    const noMessage = await errorOf(await server.fetch("/room/lobby", formPost({ user: "ann" }, "*/*")));
    expect(noMessage).toMatchObject({ status: 400, code: "invalid_text" });
    expect(noMessage.message).toBe("Expected `message` to be a non-empty string, got nothing");
    expect(await server.rooms.listRooms()).toEqual([]);
  });

  it("answer 400 to a message that is not valid UTF-8, and store nothing", async () => {
    const server = await startTestServer(disposer);
    const response = await server.fetch("/room/lobby", {
      ...formPost({}),
      body: "user=ann&message=%C0%AF",
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Write a message first.");
    expect(await server.rooms.listRooms()).toEqual([]);
  });

  it("answer 413 with the page for a text over the limit", async () => {
    const server = await startTestServer(disposer);
    const response = await server.fetch("/room/lobby", formPost({ user: "ann", message: "é".repeat(2049) }));
    expect(response.status).toBe(413);
    expect(await response.text()).toContain("That message is too long: at most 4096 bytes");
    expect(await server.rooms.listRooms()).toEqual([]);
  });

  it("answer a JSON error when the HTML adapter is off", async () => {
    const server = await startTestServer(disposer, { app: { html: false } });
    const response = await server.fetch("/room/lobby", formPost({ user: "", message: "hi" }));
    expect(await errorOf(response)).toMatchObject({ status: 400, code: "invalid_user_id" });
    expect(await server.rooms.listRooms()).toEqual([]);
  });
});

describe("an unexpected failure", () => {
  class BrokenRooms extends RoomManager {
    override listRooms(): never {
      throw new Error("disk on fire");
    }
  }

  it("answers 500 internal without the details, logs the error with its stack, and warns in the access line", async () => {
    const log = capturedLogger();
    const server = await startTestServer(disposer, { rooms: new BrokenRooms(), app: { logger: log.logger } });
    disposer.defer(() => server.rooms.close());
    // The address may carry a token: the log has the route's pattern, never the raw address.
    expect(
      await errorOf(
        await server.fetch("/rooms?token=secret-in-the-address", { headers: { accept: "application/json" } }),
      ),
    ).toMatchObject({
      status: 500,
      code: "internal",
      message: "Internal server error",
    });
    const failed = log.lines().find((line) => line.msg === "request failed");
    expect(failed).toMatchObject({
      level: 50,
      method: "GET",
      route: "/rooms",
      err: { message: "disk on fire" },
    });
    expect(JSON.stringify(log.lines())).not.toContain("secret-in-the-address");
    expect((failed?.err as { stack?: string } | undefined)?.stack).toContain("BrokenRooms");
    expect(log.lines().find((line) => line.msg === "request")).toMatchObject({
      level: 40,
      route: "/rooms",
      status: "500",
    });
  });

  it("answers a browser with the error page in words, and logs the stack too", async () => {
    const log = capturedLogger();
    const server = await startTestServer(disposer, { rooms: new BrokenRooms(), app: { logger: log.logger } });
    disposer.defer(() => server.rooms.close());
    const page = await server.fetch("/", { headers: { accept: "text/html" } });
    expect(page.status).toBe(500);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toContain("Something went wrong on the server. Try again.");
    expect(log.lines().find((line) => line.msg === "request failed")).toMatchObject({
      route: "/",
      err: { message: "disk on fire" },
    });
  });
});
