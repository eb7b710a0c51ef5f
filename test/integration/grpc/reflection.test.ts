import {
  type ClientReadableStream,
  credentials,
  type Client as GrpcClient,
  type ServiceClientConstructor,
  status,
} from "@grpc/grpc-js";
import { GrpcReflection } from "grpc-js-reflection-client";
import { describe, expect, it } from "vitest";
import type { UnaryCallback } from "../../../src/adapters/grpc/index.js";
import { EventStream, unary } from "../../helpers/grpc-client.js";
import { healthClient, linkProblems, RawReflectionClient } from "../../helpers/grpc-reflection.js";
import { useGrpcServers } from "../../helpers/grpc-server.js";

const start = useGrpcServers();

/** grpc-js-reflection-client has no close(): its channel is the private `client`. */
const closeReflection = (reflection: GrpcReflection) =>
  (reflection as unknown as { client: GrpcClient }).client.close();

describe.each(["v1", "v1alpha"] as const)("gRPC server reflection (%s)", (version) => {
  it("lists the chat and health services", async () => {
    const { address, closeLater } = await start();
    const reflection = closeLater(new RawReflectionClient(address, version), (c) => c.close());
    expect((await reflection.listServices()).sort()).toEqual([
      "chat.v1.ChatService",
      "grpc.health.v1.Health",
    ]);
  });

  it("answers descriptors a strict client (grpcurl, buf) can link: canonical names, imports declared", async () => {
    const { address, closeLater } = await start();
    const reflection = closeLater(new RawReflectionClient(address, version), (c) => c.close());

    const chat = await reflection.fileContainingSymbol("chat.v1.ChatService");
    expect(chat.map((f) => f.name)).toEqual(["chat.proto", "google/protobuf/timestamp.proto"]);
    expect(chat[0]?.dependency).toEqual(["google/protobuf/timestamp.proto"]);
    expect(linkProblems(chat)).toEqual([]);
    // grpcurl fetches each import by its file name.
    expect(
      (await reflection.fileByFilename("google/protobuf/timestamp.proto"))[0]?.messageType[0]?.name,
    ).toBe("Timestamp");

    const health = await reflection.fileContainingSymbol("grpc.health.v1.Health");
    expect(health.map((f) => f.name)).toEqual(["grpc/health/v1/health.proto"]);
    expect(linkProblems(health)).toEqual([]);
  });

  it("describes fields by their proto names, with camelCase JSON names (what grpcurl prints)", async () => {
    const { address, closeLater } = await start();
    const reflection = closeLater(new RawReflectionClient(address, version), (c) => c.close());
    const [chat] = await reflection.fileContainingSymbol("chat.v1.Message");
    const message = chat?.messageType.find((m) => m.name === "Message");
    expect(message?.field.map((f) => [f.name, f.jsonName])).toEqual([
      ["id", "id"],
      ["room_id", "roomId"],
      ["user_id", "userId"],
      ["text", "text"],
      ["sent_at", "sentAt"],
    ]);
    const service = chat?.service.find((s) => s.name === "ChatService");
    expect(service?.method.map((m) => m.name)).toEqual([
      "Submit",
      "Stream",
      "DeleteRoom",
      "GetRoom",
      "ListRooms",
      "ListMessages",
    ]);
  });
});

describe("a client that knows nothing but reflection", () => {
  it("finds ChatService, builds it from the reflected descriptor, and calls Submit and Stream", async () => {
    const { address, closeLater } = await start();
    const reflection = new GrpcReflection(address, credentials.createInsecure(), {}, "v1");
    closeLater(reflection, closeReflection);
    expect(await reflection.listServices()).toContain("chat.v1.ChatService");

    const descriptor = await reflection.getDescriptorBySymbol("chat.v1.ChatService");
    const loaded = descriptor.getPackageObject({
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
    });
    const ChatService = (loaded as unknown as { chat: { v1: { ChatService: ServiceClientConstructor } } })
      .chat.v1.ChatService;
    const client = closeLater(
      new ChatService(address, credentials.createInsecure()) as unknown as GrpcClient & {
        Submit(request: object, callback: UnaryCallback<{ id: string; sent_at: object }>): void;
        Stream(request: object): ClientReadableStream<Record<string, unknown>>;
      },
      (c) => c.close(),
    );

    const stream = new EventStream(client.Stream({ room_id: "lobby", user_id: "reflector" }));
    expect(await stream.next()).toMatchObject({
      ready: {
        room_id: "lobby",
        members: ["reflector"],
        last_id: "",
        recovered: "RESUME_STATUS_UNSPECIFIED",
      },
    });
    const sent = await unary<{ id: string; sent_at: object }>((cb) =>
      client.Submit({ room_id: "lobby", user_id: "ann", text: "hi" }, cb),
    );
    expect(sent.id).not.toBe("");
    expect(await stream.next()).toMatchObject({
      message: { id: sent.id, room_id: "lobby", user_id: "ann", text: "hi", sent_at: sent.sent_at },
    });
  });
});

describe("gRPC health", () => {
  it("reports SERVING for the server and for chat.v1.ChatService, NOT_FOUND for unknown services", async () => {
    const { address, closeLater } = await start();
    const health = closeLater(healthClient(address), (c) => c.close());
    expect(await unary((cb) => health.Check({ service: "" }, cb))).toEqual({ status: "SERVING" });
    expect(await unary((cb) => health.Check({ service: "chat.v1.ChatService" }, cb))).toEqual({
      status: "SERVING",
    });
    await expect(unary((cb) => health.Check({ service: "nope.v1.Nothing" }, cb))).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
  });
});
