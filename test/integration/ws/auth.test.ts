import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { WS_CLOSE } from "../../../src/adapters/ws/index.js";
import { Disposer, startTestServer, type TestServer } from "../../helpers/http-server.js";
import { REFUSALS, requiredAuth, skewToExpireIn, type TestTokens, testTokens } from "../../helpers/tokens.js";

const disposer = new Disposer();
afterEach(() => disposer.dispose());

let tokens: TestTokens;
beforeAll(async () => {
  tokens = await testTokens();
});

async function authServer(skewMs = 0): Promise<TestServer> {
  const auth = requiredAuth(skewMs);
  const server = await startTestServer(disposer, { app: { auth }, ws: { auth } });
  await server.rooms.submit({ roomId: "team-a", userId: "bob", text: "before" });
  return server;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("WebSocket with auth required", () => {
  it.each(REFUSALS)(
    "closes an upgrade with token $token at once, with the $code close code",
    async ({ token, code }) => {
      const server = await authServer();
      const socket = await server.socket("/ws/team-a", {
        headers: token === undefined ? {} : bearer(tokens[token]),
      });
      const closed = await socket.closed;
      expect(closed.code).toBe(code === "unauthenticated" ? WS_CLOSE.unauthenticated : WS_CLOSE.forbidden);
      expect(closed.reason).not.toBe("");
      expect(await socket.next()).toBeUndefined();
      expect((await server.rooms.getRoom("team-a")).listeners).toBe(0);
    },
  );

  it("takes the token from the header, the chat_token cookie or ?token=", async () => {
    const server = await authServer();
    for (const [path, headers] of [
      ["/ws/team-a", bearer(tokens.valid)],
      ["/ws/team-a", { cookie: `chat_token=${tokens.valid}` }],
      [`/ws/team-a?token=${tokens.valid}`, {}],
    ] as const) {
      const socket = await server.socket(path, { headers });
      expect(await socket.next()).toMatchObject({ type: "ready", members: ["ann"] });
      socket.close();
      await socket.closed;
    }
  });

  it("posts as the token's user, ignoring a userId in the frame or the URL", async () => {
    const server = await authServer();
    const socket = await server.socket("/ws/team-a?userId=mallory", { headers: bearer(tokens.valid) });
    socket.send({ type: "submit", userId: "eve", text: "who am I", ref: 1 });
    const answer = await socket.until((frame) => frame.type === "submitted");
    expect(answer).toMatchObject({ ref: 1, message: { userId: "ann", text: "who am I" } });
  });

  it("answers a submit from a subscribe-only token with a forbidden error frame and keeps streaming", async () => {
    const server = await authServer();
    const socket = await server.socket("/ws/team-a", { headers: bearer(tokens.readOnly) });
    socket.send({ type: "submit", text: "may I", ref: "r" });
    expect(await socket.until((frame) => frame.type === "error")).toMatchObject({
      ref: "r",
      error: { code: "forbidden" },
    });
    const later = await server.rooms.submit({ roomId: "team-a", userId: "bob", text: "still here" });
    expect(await socket.until((frame) => frame.type === "message")).toMatchObject({ id: later.id });
    expect((await server.rooms.history("team-a")).map((m) => m.text)).toEqual(["before", "still here"]);
  });

  it("closes with 4401 and the cursor to resume from when the token expires", async () => {
    const server = await authServer(skewToExpireIn(tokens.valid, 300));
    const socket = await server.socket("/ws/team-a", { headers: bearer(tokens.valid) });
    expect((await socket.next())?.type).toBe("ready");
    const last = await server.rooms.submit({ roomId: "team-a", userId: "bob", text: "seen" });
    expect(await socket.next()).toMatchObject({ id: last.id });
    const closed = await socket.closed;
    expect(closed).toEqual({
      code: WS_CLOSE.unauthenticated,
      reason: `token expired: reconnect with since=${last.id}`,
    });
    expect((await server.rooms.getRoom("team-a")).listeners).toBe(0);
  });
});
