import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Message, RoomInfo } from "../../../src/rooms/index.js";
import { Disposer, errorOf, startTestServer, type TestServer } from "../../helpers/http-server.js";
import { REFUSALS, requiredAuth, skewToExpireIn, type TestTokens, testTokens } from "../../helpers/tokens.js";

const disposer = new Disposer();
afterEach(() => disposer.dispose());

let tokens: TestTokens;
beforeAll(async () => {
  tokens = await testTokens();
});

const bearer = (token: string | undefined): Record<string, string> =>
  token === undefined ? {} : { authorization: `Bearer ${token}` };

async function authServer(skewMs = 0): Promise<TestServer> {
  const server = await startTestServer(disposer, { app: { auth: requiredAuth(skewMs) } });
  await server.rooms.submit({ roomId: "team-a", userId: "bob", text: "before" });
  await server.rooms.submit({ roomId: "lobby", userId: "bob", text: "elsewhere" });
  return server;
}

/** Every JSON route, what it needs, and what a valid caller gets. */
const ROUTES = [
  {
    name: "POST /room/:roomId",
    call: (server: TestServer, headers: Record<string, string>) =>
      server.postJson("/room/team-a", { userId: "ann", text: "hi" }, headers),
    allowed: "valid",
    status: 201,
  },
  {
    name: "GET /room/:roomId",
    call: (server: TestServer, headers: Record<string, string>) =>
      server.fetch("/room/team-a", { headers: { accept: "application/json", ...headers } }),
    allowed: "valid",
    status: 200,
  },
  {
    name: "GET /room/:roomId/messages",
    call: (server: TestServer, headers: Record<string, string>) =>
      server.fetch("/room/team-a/messages", { headers }),
    allowed: "valid",
    status: 200,
  },
  {
    name: "DELETE /room/:roomId",
    call: (server: TestServer, headers: Record<string, string>) =>
      server.fetch("/room/team-a", { method: "DELETE", headers }),
    allowed: "admin",
    status: 204,
  },
  {
    name: "POST /rooms",
    call: (server: TestServer, headers: Record<string, string>) => server.postJson("/rooms", {}, headers),
    allowed: "admin",
    status: 201,
  },
] as const;

describe("HTTP with --auth required", () => {
  describe.each(ROUTES)("$name", (route) => {
    it.each(REFUSALS)("refuses token $token with $code, and nothing changes", async ({ token, code }) => {
      const server = await authServer();
      const response = await route.call(server, bearer(token === undefined ? undefined : tokens[token]));
      const error = await errorOf(response);
      expect(error.code).toBe(code);
      expect(error.status).toBe(code === "unauthenticated" ? 401 : 403);
      if (code === "unauthenticated") {
        expect(response.headers.get("www-authenticate")).toBe('Bearer realm="chat-server"');
      }
      expect((await server.rooms.history("team-a")).map((m) => m.text)).toEqual(["before"]);
      expect((await server.rooms.listRooms()).map((r) => r.roomId).sort()).toEqual(["lobby", "team-a"]);
    });

    it("answers a caller it allows", async () => {
      const server = await authServer();
      const response = await route.call(server, bearer(tokens[route.allowed]));
      expect(response.status).toBe(route.status);
    });

    if (route.allowed === "admin") {
      it("refuses a valid token without admin with forbidden", async () => {
        const server = await authServer();
        const error = await errorOf(await route.call(server, bearer(tokens.valid)));
        expect(error).toMatchObject({ status: 403, code: "forbidden" });
      });
    }
  });

  it("posts as the token's user, whatever the body says", async () => {
    const server = await authServer();
    const response = await server.postJson(
      "/room/team-a",
      { userId: "mallory", text: "who am I" },
      bearer(tokens.valid),
    );
    expect(((await response.json()) as Message).userId).toBe("ann");
    expect((await server.rooms.history("team-a")).at(-1)).toMatchObject({ userId: "ann", text: "who am I" });
  });

  it("refuses a post from a subscribe-only token with forbidden", async () => {
    const server = await authServer();
    const response = await server.postJson("/room/team-a", { text: "hi" }, bearer(tokens.readOnly));
    expect(await errorOf(response)).toMatchObject({ status: 403, code: "forbidden" });
  });

  it("lists only the rooms the token may subscribe to, and every room for an admin", async () => {
    const server = await authServer();
    const listed = async (token: string) =>
      (
        (await (await server.fetch("/rooms", { headers: bearer(token) })).json()) as { rooms: RoomInfo[] }
      ).rooms
        .map((room) => room.roomId)
        .sort();
    expect(await listed(tokens.valid)).toEqual(["team-a"]);
    expect(await listed(tokens.otherRoom)).toEqual(["lobby"]);
    expect(await listed(tokens.admin)).toEqual(["lobby", "team-a"]);
    expect(await errorOf(await server.fetch("/rooms"))).toMatchObject({
      status: 401,
      code: "unauthenticated",
    });
  });

  describe("GET /stream/:roomId", () => {
    it.each(REFUSALS)("refuses token $token with $code before the stream opens", async ({ token, code }) => {
      const server = await authServer();
      const stream = await server.stream("/stream/team-a", {
        headers: bearer(token === undefined ? undefined : tokens[token]),
      });
      expect(stream.status).toBe(code === "unauthenticated" ? 401 : 403);
      expect(JSON.parse(stream.body)).toMatchObject({ error: { code } });
      expect((await server.rooms.getRoom("team-a")).listeners).toBe(0);
    });

    it("takes the token from the header, the chat_token cookie or ?token=, and counts its user as present", async () => {
      const server = await authServer();
      for (const [path, headers] of [
        ["/stream/team-a?userId=mallory", bearer(tokens.valid)],
        ["/stream/team-a", { cookie: `theme=dark; chat_token=${tokens.valid}` }],
        [`/stream/team-a?token=${tokens.valid}`, {}],
      ] as const) {
        const stream = await server.stream(path, { headers });
        expect(stream.status).toBe(200);
        const ready = await stream.until((event) => event.event === "ready");
        expect(ready.json).toMatchObject({ roomId: "team-a", members: ["ann"] });
        stream.close();
      }
    });

    it("ends a stream when its token expires; a reconnect with the same token is refused", async () => {
      const server = await authServer(skewToExpireIn(tokens.valid, 300));
      const stream = await server.stream("/stream/team-a", { headers: bearer(tokens.valid) });
      expect(stream.status).toBe(200);
      await stream.until((event) => event.event === "ready");
      expect(await stream.ended).toBe("end");
      expect((await server.rooms.getRoom("team-a")).listeners).toBe(0);
      const again = await server.stream("/stream/team-a", { headers: bearer(tokens.valid) });
      expect(again.status).toBe(401);
      expect(JSON.parse(again.body)).toEqual({
        error: { code: "unauthenticated", message: "The token has expired" },
      });
    });
  });

  describe("the room page", () => {
    it("moves a ?token= link into an HttpOnly cookie and drops it from the address", async () => {
      const server = await authServer();
      const response = await server.fetch(`/room/team-a?user=x&token=${tokens.valid}`, {
        headers: { accept: "text/html" },
        redirect: "manual",
      });
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe("/room/team-a?user=x");
      const cookie = response.headers.get("set-cookie") ?? "";
      expect(cookie).toContain(`chat_token=${tokens.valid}`);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      const page = await server.fetch("/room/team-a?user=x", {
        headers: { accept: "text/html", cookie: `chat_token=${tokens.valid}` },
      });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("before");
    });

    it("answers a browser without a token with a page that says so, and an API client with JSON", async () => {
      const server = await authServer();
      const page = await server.fetch("/room/team-a", { headers: { accept: "text/html" } });
      expect(page.status).toBe(401);
      expect(page.headers.get("content-type")).toMatch(/^text\/html/);
      expect(await page.text()).toContain("You need to sign in");
      // curl's `Accept: */*` on an API route still gets the JSON error.
      const api = await server.fetch("/room/team-a/messages", { headers: { accept: "*/*" } });
      expect(await errorOf(api)).toMatchObject({ status: 401, code: "unauthenticated" });
    });

    it("posts a form as the cookie's user", async () => {
      const server = await authServer();
      const response = await server.fetch("/room/team-a", {
        method: "POST",
        redirect: "manual",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          cookie: `chat_token=${tokens.valid}`,
        },
        body: new URLSearchParams({ user: "mallory", message: "from the form" }).toString(),
      });
      expect(response.status).toBe(303);
      expect((await server.rooms.history("team-a")).at(-1)).toMatchObject({
        userId: "ann",
        text: "from the form",
      });
    });
  });

  it("leaves everything open with auth off (the default)", async () => {
    const server = await startTestServer(disposer);
    const response = await server.postJson("/room/team-a", { userId: "mallory", text: "hi" });
    expect(((await response.json()) as Message).userId).toBe("mallory");
    expect((await server.fetch("/room/team-a", { method: "DELETE" })).status).toBe(204);
  });
});
