import { type ServiceError, status } from "@grpc/grpc-js";
import { beforeAll, describe, expect, it } from "vitest";
import { type ChatTestClient, errorCodeOf } from "../../helpers/grpc-client.js";
import { type GrpcTestServer, useGrpcServers } from "../../helpers/grpc-server.js";
import { REFUSALS, requiredAuth, skewToExpireIn, type TestTokens, testTokens } from "../../helpers/tokens.js";

const start = useGrpcServers();

let tokens: TestTokens;
beforeAll(async () => {
  tokens = await testTokens();
});

async function authServer(skewMs = 0): Promise<GrpcTestServer> {
  const server = await start({ auth: requiredAuth(skewMs) });
  await server.rooms.submit({ roomId: "team-a", userId: "bob", text: "before" });
  await server.rooms.submit({ roomId: "lobby", userId: "bob", text: "elsewhere" });
  return server;
}

/** Every unary rpc, and the token it needs. */
const RPCS = [
  { rpc: "Submit", call: (c: ChatTestClient) => c.submit("team-a", "ann", "hi"), allowed: "valid" },
  { rpc: "GetRoom", call: (c: ChatTestClient) => c.getRoom("team-a"), allowed: "valid" },
  { rpc: "ListMessages", call: (c: ChatTestClient) => c.listMessages("team-a"), allowed: "valid" },
  { rpc: "DeleteRoom", call: (c: ChatTestClient) => c.deleteRoom("team-a"), allowed: "admin" },
] as const;

const GRPC_CODE = { unauthenticated: status.UNAUTHENTICATED, forbidden: status.PERMISSION_DENIED };

async function refusal(call: Promise<unknown>): Promise<ServiceError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e as ServiceError,
  );
  if (error === undefined) throw new Error("Expected the call to be refused");
  return error;
}

describe("gRPC with auth required", () => {
  describe.each(RPCS)("$rpc", ({ call, allowed }) => {
    it.each(REFUSALS)("refuses token $token with $code, and nothing changes", async ({ token, code }) => {
      const server = await authServer();
      const error = await refusal(call(server.client(token === undefined ? undefined : tokens[token])));
      expect(error.code).toBe(GRPC_CODE[code]);
      expect(errorCodeOf(error)).toBe(code);
      expect((await server.rooms.history("team-a")).map((m) => m.text)).toEqual(["before"]);
      expect((await server.rooms.listRooms()).length).toBe(2);
    });

    it("answers a caller it allows", async () => {
      const server = await authServer();
      await expect(call(server.client(tokens[allowed]))).resolves.toBeDefined();
    });
  });

  it("DeleteRoom refuses a valid token without admin with PERMISSION_DENIED", async () => {
    const server = await authServer();
    const error = await refusal(server.client(tokens.valid).deleteRoom("team-a"));
    expect(error.code).toBe(status.PERMISSION_DENIED);
  });

  it("Submit posts as the token's user, whatever user_id says", async () => {
    const server = await authServer();
    const sent = await server.client(tokens.valid).submit("team-a", "mallory", "who am I");
    expect(sent.userId).toBe("ann");
  });

  it("ListRooms lists only the rooms the token may subscribe to", async () => {
    const server = await authServer();
    const ids = async (token: string) =>
      (await server.client(token).listRooms()).rooms.map((room) => room.roomId).sort();
    expect(await ids(tokens.valid)).toEqual(["team-a"]);
    expect(await ids(tokens.admin)).toEqual(["lobby", "team-a"]);
    const error = await refusal(server.client().listRooms());
    expect(error.code).toBe(status.UNAUTHENTICATED);
  });

  describe("Stream", () => {
    it.each(REFUSALS)("refuses token $token with $code", async ({ token, code }) => {
      const server = await authServer();
      const stream = server.client(token === undefined ? undefined : tokens[token]).stream("team-a");
      const ended = await stream.ended();
      expect(ended.code).toBe(GRPC_CODE[code]);
      expect(ended.metadata.get("chat-error-code")[0]).toBe(code);
      expect((await server.rooms.getRoom("team-a")).listeners).toBe(0);
    });

    it("streams as the token's user", async () => {
      const server = await authServer();
      const stream = server.client(tokens.valid).stream("team-a", { userId: "mallory" });
      const ready = await stream.next();
      expect(ready).toMatchObject({ event: "ready", ready: { members: ["ann"] } });
      stream.cancel();
    });

    it("ends with UNAUTHENTICATED when the token expires, telling the client to resume", async () => {
      const server = await authServer(skewToExpireIn(tokens.valid, 300));
      const stream = server.client(tokens.valid).stream("team-a");
      expect((await stream.next()).event).toBe("ready");
      const ended = await stream.ended();
      expect(ended.code).toBe(status.UNAUTHENTICATED);
      expect(ended.details).toMatch(/token expired.*since/);
      expect((await server.rooms.getRoom("team-a")).listeners).toBe(0);
    });
  });
});
