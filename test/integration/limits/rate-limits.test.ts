import { type ServiceError, status } from "@grpc/grpc-js";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { WS_CLOSE } from "../../../src/adapters/ws/index.js";
import { RateLimits } from "../../../src/auth/index.js";
import { errorCodeOf } from "../../helpers/grpc-client.js";
import { useGrpcServers } from "../../helpers/grpc-server.js";
import { Disposer, errorOf, startTestServer } from "../../helpers/http-server.js";
import { requiredAuth, type TestTokens, testTokens } from "../../helpers/tokens.js";

const disposer = new Disposer();
afterEach(() => disposer.dispose());
const startGrpc = useGrpcServers();

let tokens: TestTokens;
beforeAll(async () => {
  tokens = await testTokens();
});

/** Every adapter over one RateLimits whose clock the test moves: recovery without sleeping. */
async function limitedServers(options: { auth?: boolean; maxStreams?: number } = {}) {
  let now = 0;
  const rateLimits = new RateLimits({
    submitsPerSecond: 1,
    streamsPerSecond: 100,
    maxStreamsPerCaller: options.maxStreams ?? 100,
    now: () => now,
  });
  const auth = options.auth === true ? requiredAuth() : undefined;
  const http = await startTestServer(disposer, { app: { rateLimits, auth }, ws: { rateLimits, auth } });
  const grpc = await startGrpc({ rooms: http.rooms, rateLimits, auth });
  return { http, grpc, advance: (ms: number) => (now += ms) };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("rate limits", () => {
  it("answers 429 rate_limited with Retry-After past the burst, loses nothing accepted, and recovers", async () => {
    const { http, advance } = await limitedServers();
    for (let i = 0; i < 5; i++) {
      expect((await http.postJson("/room/lobby", { userId: "ann", text: `m${i}` })).status).toBe(201);
    }
    const refused = await http.postJson("/room/lobby", { userId: "ann", text: "one too many" });
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(await errorOf(refused)).toMatchObject({ status: 429, code: "rate_limited" });
    expect((await http.rooms.history("lobby")).map((m) => m.text)).toEqual(["m0", "m1", "m2", "m3", "m4"]);
    advance(1000);
    expect((await http.postJson("/room/lobby", { userId: "ann", text: "later" })).status).toBe(201);
  });

  it("counts a user's posts over every transport together (auth on: per token user)", async () => {
    const { http, grpc } = await limitedServers({ auth: true });
    for (let i = 0; i < 4; i++) {
      expect((await http.postJson("/room/team-a", { text: `m${i}` }, bearer(tokens.valid))).status).toBe(201);
    }
    // The fifth goes through gRPC, the sixth is refused there, then over a WebSocket.
    const client = grpc.client(tokens.valid);
    await client.submit("team-a", "", "over gRPC");
    const error = (await client.submit("team-a", "", "too many").catch((e: unknown) => e)) as ServiceError;
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(errorCodeOf(error)).toBe("rate_limited");
    const socket = await http.socket("/ws/team-a", { headers: bearer(tokens.valid) });
    socket.send({ type: "submit", text: "over ws", ref: 7 });
    expect(await socket.until((frame) => frame.type === "error")).toMatchObject({
      ref: 7,
      error: { code: "rate_limited" },
    });
    // Another user has a bucket of their own.
    expect((await http.postJson("/room/team-a", { text: "admin" }, bearer(tokens.admin))).status).toBe(201);
  });

  it("caps the streams one user holds across SSE, WebSocket and gRPC, and frees a place when one closes", async () => {
    const { http, grpc } = await limitedServers({ auth: true, maxStreams: 2 });
    const sse = await http.stream("/stream/team-a", { headers: bearer(tokens.valid) });
    expect(sse.status).toBe(200);
    const socket = await http.socket("/ws/team-a", { headers: bearer(tokens.valid) });
    expect((await socket.next())?.type).toBe("ready");

    const refusedSse = await http.stream("/stream/team-a", { headers: bearer(tokens.valid) });
    expect(refusedSse.status).toBe(429);
    expect(JSON.parse(refusedSse.body)).toMatchObject({ error: { code: "rate_limited" } });
    const refusedWs = await http.socket("/ws/team-a", { headers: bearer(tokens.valid) });
    expect((await refusedWs.closed).code).toBe(WS_CLOSE.rateLimited);
    const refusedGrpc = await grpc.client(tokens.valid).stream("team-a").ended();
    expect(refusedGrpc.code).toBe(status.RESOURCE_EXHAUSTED);

    sse.close();
    await expect.poll(async () => (await http.rooms.getRoom("team-a")).listeners).toBe(1);
    const stream = grpc.client(tokens.valid).stream("team-a");
    expect((await stream.next()).event).toBe("ready");
    stream.cancel();
  });

  it("is off unless given", async () => {
    const http = await startTestServer(disposer);
    for (let i = 0; i < 30; i++) {
      expect((await http.postJson("/room/lobby", { userId: "ann", text: `m${i}` })).status).toBe(201);
    }
  });
});
