import { Client, credentials, type ServiceError, status } from "@grpc/grpc-js";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { RoomManager } from "../../../src/rooms/index.js";
import {
  type ChatTestClient,
  EventStream,
  errorCodeOf,
  StreamEndedError,
  textOf,
  unary,
} from "../../helpers/grpc-client.js";
import { type GrpcTestServer, metricValue, useGrpcServers } from "../../helpers/grpc-server.js";

const start = useGrpcServers();

async function failure(promise: Promise<unknown>): Promise<ServiceError> {
  return promise.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
    },
    (error: ServiceError) => error,
  );
}

/** The status a Stream ends with before (or instead of) its first event. */
async function streamFailure(client: ChatTestClient, ...args: Parameters<ChatTestClient["stream"]>) {
  const error = await client
    .stream(...args)
    .next()
    .then(
      (event) => {
        throw new Error(`expected the stream to fail, got ${JSON.stringify(event)}`);
      },
      (e: unknown) => e,
    );
  if (!(error instanceof StreamEndedError)) throw error;
  return { code: error.status.code, details: error.status.details, metadata: error.status.metadata };
}

/** A client of the test server that sends hand-made request bytes, closed after the test. */
function rawClient(server: GrpcTestServer) {
  const client = server.closeLater(new Client(server.address, credentials.createInsecure()), (c) =>
    c.close(),
  );
  const raw = (bytes: Buffer) => bytes;
  return {
    unary: (method: string, request: Buffer) =>
      unary<Buffer>((cb) => client.makeUnaryRequest(`/chat.v1.ChatService/${method}`, raw, raw, request, cb)),
    stream: (request: Buffer) =>
      new EventStream(client.makeServerStreamRequest("/chat.v1.ChatService/Stream", raw, raw, request)),
  };
}

const TOO_LONG_USER = "u".repeat(65);

describe("gRPC bad input answers INVALID_ARGUMENT, and nothing bad is stored or broadcast", () => {
  const submits: [string, [string, string, string], string][] = [
    ["an empty room id", ["", "ann", "hi"], "invalid_room_id"],
    ["a room id with a space", ["bad room", "ann", "hi"], "invalid_room_id"],
    ["a room id over 64 characters", ["r".repeat(65), "ann", "hi"], "invalid_room_id"],
    ["a room id outside [A-Za-z0-9._-]", ["café", "ann", "hi"], "invalid_room_id"],
    ["an empty user id", ["lobby", "", "hi"], "invalid_user_id"],
    ["a user id over 64 characters", ["lobby", TOO_LONG_USER, "hi"], "invalid_user_id"],
    ["a user id with a control character", ["lobby", "ann\u0007", "hi"], "invalid_user_id"],
    ["an empty text", ["lobby", "ann", ""], "invalid_text"],
    ["a blank text", ["lobby", "ann", "  \n\t"], "invalid_text"],
    ["a text with a control character", ["lobby", "ann", "ring \u0007"], "invalid_text"],
    [
      "a text over the byte limit (counted in UTF-8 bytes)",
      ["lobby", "ann", "é".repeat(9)],
      "message_too_long",
    ],
  ];

  it.each(submits)("Submit with %s", async (_, [roomId, userId, text], code) => {
    const { client } = await start({ rooms: { maxMessageBytes: 16 } });
    const chat = client();
    const watcher = chat.stream("lobby");
    await watcher.next();

    const error = await failure(chat.submit(roomId, userId, text));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(errorCodeOf(error)).toBe(code);
    expect(error.details).toMatch(/^Expected `(roomId|userId|text)`/);

    await chat.submit("lobby", "ann", "sentinel");
    expect(textOf(await watcher.next())).toBe("sentinel");
    expect((await chat.listRooms()).rooms.map((r) => [r.roomId, r.messageCount])).toEqual([["lobby", 1]]);
  });

  const streams: [string, Parameters<ChatTestClient["stream"]>, string][] = [
    ["an invalid room id", ["bad room"], "invalid_room_id"],
    ["a user id over 64 characters", ["lobby", { userId: TOO_LONG_USER }], "invalid_user_id"],
    ["a user id with a control character", ["lobby", { userId: "a\nb" }], "invalid_user_id"],
    ["a since that is not a message id", ["lobby", { since: "yesterday" }], "invalid_cursor"],
  ];

  it.each(streams)("Stream with %s", async (_, args, code) => {
    const { client, rooms } = await start();
    const failed = await streamFailure(client(), ...args);
    expect(failed.code).toBe(status.INVALID_ARGUMENT);
    expect(failed.metadata.get("chat-error-code")).toEqual([code]);
    expect(await rooms.listRooms()).toEqual([]);
  });

  const listings: [string, [string, string, number], string][] = [
    ["an invalid room id", ["bad room", "", 0], "invalid_room_id"],
    ["a since that is not a message id", ["lobby", "1-2-3", 0], "invalid_cursor"],
    ["a negative limit", ["lobby", "", -1], "invalid_limit"],
    ["a limit over the history size", ["lobby", "", 11], "invalid_limit"],
  ];

  it.each(listings)("ListMessages with %s", async (_, [roomId, since, limit], code) => {
    const { client } = await start({ rooms: { historyLimit: 10 } });
    const chat = client();
    await chat.submit("lobby", "ann", "hi");
    const error = await failure(chat.listMessages(roomId, since, limit));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(errorCodeOf(error)).toBe(code);
  });

  it("GetRoom and DeleteRoom with an invalid room id", async () => {
    const { client } = await start();
    const chat = client();
    for (const call of [chat.getRoom(""), chat.deleteRoom("../etc")]) {
      const error = await failure(call);
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(errorCodeOf(error)).toBe("invalid_room_id");
    }
  });
});

describe("gRPC requests that are not protobuf at all", () => {
  // A tag with wire type 7, which does not exist.
  const garbage = Buffer.alloc(11, 0xff);

  it("answers INVALID_ARGUMENT to a Stream whose request bytes do not decode", async () => {
    const server = await start();
    const chat = rawClient(server);
    const ended = await chat.stream(garbage).ended();
    expect(ended.code).toBe(status.INVALID_ARGUMENT);
    expect(ended.metadata.get("chat-error-code")).toEqual(["malformed_request"]);
  });
});

describe("gRPC requests that are not well-formed messages of the method's type", () => {
  /** A length-delimited field (short values only: one-byte tag and length). */
  const field = (number: number, value: string) =>
    Buffer.concat([Buffer.from([(number << 3) | 2, Buffer.byteLength(value)]), Buffer.from(value)]);
  const bytes = (...parts: (Buffer | number[] | string)[]) =>
    Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part) : Buffer.from(part))));
  const roomAndUser = bytes(field(1, "lobby"), field(2, "ann"));
  const text = field(3, "hi");

  // Each would store "hi" (or something) in `lobby` if the bytes were decoded leniently.
  // biome-ignore format: one case per line reads as a table
  const submits: [string, Buffer][] = [
    ["bytes that are not protobuf at all (not INTERNAL)", Buffer.alloc(11, 0xff)],
    ["a text whose length runs past the end of the buffer", bytes(roomAndUser, [0x1a, 10], "hi")],
    ["a room_id whose length runs past the end (room `A`)", bytes([0x0a, 5], "A")],
    ["a length over 32 bits that wraps to 2", bytes(roomAndUser, [0x1a, 0x82, 0x80, 0x80, 0x80, 0x10], "hi")],
    ["a tag that is an 11-byte varint", bytes(roomAndUser, [0x9a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 2], "hi")],
    ["a tag over 32 bits", bytes(roomAndUser, text, [0xf8, 0xff, 0xff, 0xff, 0x7f, 0x01])],
    ["field number 0", bytes([0x02, 2], "hi", roomAndUser, text)],
    ["text with the fixed32 wire type", bytes(roomAndUser, [0x1d], "hi!!")],
    ["room_id with the varint wire type", bytes([0x08, 0x01], field(2, "ann"), text)],
    ["a group (wire type 3)", bytes(roomAndUser, text, [0x7b, 0x7c])],
    ["wire type 6", bytes(roomAndUser, text, [0x7e])],
    ["a varint cut short", bytes(roomAndUser, text, [0x78, 0x80])],
    ["a varint of 11 bytes", bytes(roomAndUser, text, [0x78, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])],
    ["a fixed64 cut short", bytes(roomAndUser, text, [0x79, 1, 2, 3])],
    ["a fixed32 cut short", bytes(roomAndUser, text, [0x7d, 1])],
    ["a tag cut short", bytes(roomAndUser, text, [0x80])],
  ];

  it.each(submits)("Submit with %s answers INVALID_ARGUMENT and stores nothing", async (_, request) => {
    const server = await start();
    const { rooms } = server;
    const chat = rawClient(server);
    const error = await failure(chat.unary("Submit", request));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(errorCodeOf(error)).toBe("malformed_request");
    expect(error.details).toContain("chat.v1.ChatService.Submit");
    expect(await rooms.listRooms()).toEqual([]);
  });

  const notUtf8: [string, number[]][] = [
    ["invalid bytes ff fe", [0xff, 0xfe]],
    ["an overlong c0 af", [0xc0, 0xaf]],
    ["an encoded surrogate ed a0 80", [0xed, 0xa0, 0x80]],
  ];

  it.each(notUtf8)("Submit with a text of %s answers INVALID_ARGUMENT invalid_text", async (_, text) => {
    const server = await start();
    const { rooms } = server;
    const chat = rawClient(server);
    const request = bytes(roomAndUser, [0x1a, text.length], text);
    const error = await failure(chat.unary("Submit", request));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(errorCodeOf(error)).toBe("invalid_text");
    expect(await rooms.listRooms()).toEqual([]);
  });

  it("Stream with a user_id that is not UTF-8 answers INVALID_ARGUMENT and opens nothing", async () => {
    const server = await start();
    const { rooms } = server;
    const chat = rawClient(server);
    const request = bytes(field(1, "lobby"), [0x12, 2, 0xff, 0xfe]);
    const ended = await chat.stream(request).ended();
    expect(ended.code).toBe(status.INVALID_ARGUMENT);
    expect(ended.metadata.get("chat-error-code")).toEqual(["malformed_request"]);
    expect(await rooms.listRooms()).toEqual([]);
  });

  it("DeleteRoom with a well-formed room_id followed by field number 0 deletes nothing", async () => {
    const server = await start();
    const { rooms } = server;
    await rooms.submit({ roomId: "lobby", userId: "ann", text: "keep me" });
    const chat = rawClient(server);
    const request = bytes(field(1, "lobby"), [0x00, 0x00]);
    const error = await failure(chat.unary("DeleteRoom", request));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(errorCodeOf(error)).toBe("malformed_request");
    expect((await rooms.getRoom("lobby")).messageCount).toBe(1);
  });

  it("skips unknown fields of every wire type, as proto3 requires", async () => {
    const server = await start();
    const { rooms } = server;
    const chat = rawClient(server);
    const unknown = bytes(
      [0x78, 0x96, 0x01],
      [0x79, 1, 2, 3, 4, 5, 6, 7, 8],
      [0x7d, 1, 2, 3, 4],
      field(14, "?"),
    );
    const request = bytes(unknown, roomAndUser, text, [0x80, 0x01, 0x05]);
    await chat.unary("Submit", request);
    expect((await rooms.history("lobby")).map((m) => m.text)).toEqual(["hi"]);
  });
});

describe("gRPC error statuses", () => {
  it("refuses a request over the receive limit with RESOURCE_EXHAUSTED before any handler runs", async () => {
    const { client, rooms } = await start({ maxReceiveMessageBytes: 8 * 1024 });
    const error = await failure(client().submit("lobby", "ann", "x".repeat(16 * 1024)));
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(await rooms.listRooms()).toEqual([]);
  });

  it("answers RESOURCE_EXHAUSTED when the room limit is reached", async () => {
    const { client } = await start({ rooms: { maxRooms: 1 } });
    const chat = client();
    await chat.submit("first", "ann", "hi");
    const error = await failure(chat.submit("second", "ann", "hi"));
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(errorCodeOf(error)).toBe("too_many_rooms");
  });

  it("answers RESOURCE_EXHAUSTED to a Stream over the stream limit", async () => {
    const { client } = await start({ maxStreams: 1 });
    const first = client().stream("lobby");
    await first.next();
    const failed = await streamFailure(client(), "lobby");
    expect(failed.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(failed.metadata.get("chat-error-code")).toEqual(["too_many_streams"]);
  });

  it("answers UNAVAILABLE once the rooms are closed", async () => {
    const { client, rooms } = await start();
    await rooms.close();
    const error = await failure(client().submit("lobby", "ann", "hi"));
    expect(error).toMatchObject({ code: status.UNAVAILABLE, details: "The server is shutting down" });
  });

  it("answers INTERNAL with a generic message to an unexpected failure, logs its stack and counts it", async () => {
    class BrokenRooms extends RoomManager {
      override listRooms(): never {
        throw new Error("disk on fire");
      }
    }
    const lines: string[] = [];
    const logger = pino({ level: "error" }, { write: (line: string) => lines.push(line) });
    const { client, metrics } = await start({ rooms: new BrokenRooms(), logger });
    const error = await failure(client().listRooms());
    expect(error).toMatchObject({ code: status.INTERNAL, details: "Internal server error" });
    expect(errorCodeOf(error)).toBe("internal");
    expect(lines).toHaveLength(1);
    const logged = JSON.parse(lines[0] as string) as { rpc: string; err: { message: string; stack: string } };
    expect(logged.rpc).toBe("ListRooms");
    expect(logged.err.message).toBe("disk on fire");
    expect(logged.err.stack).toContain("BrokenRooms");
    expect(
      await metricValue(metrics, "chat_request_errors_total", { adapter: "grpc", code: "internal" }),
    ).toBe(1);
  });
});
