import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { errorCodeOf } from "../../helpers/grpc-client.js";
import { useGrpcServers } from "../../helpers/grpc-server.js";
import { cursorOfLostHistory } from "../../helpers/rooms.js";

const start = useGrpcServers();

const timestampOf = (iso: string) => {
  const ms = Date.parse(iso);
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
};

describe("gRPC unary rpcs", () => {
  it("Submit stores the message and returns it with its id and sent_at as a Timestamp", async () => {
    const { client, rooms } = await start();
    const sent = await client().submit("lobby", "ann", "hello <there> ✓");
    const [stored] = await rooms.history("lobby");
    expect(stored).toBeDefined();
    expect(sent).toEqual({
      id: stored?.id,
      roomId: "lobby",
      userId: "ann",
      text: "hello <there> ✓",
      sentAt: timestampOf(stored?.sentAt as string),
    });
  });

  it("GetRoom describes a room: listeners, members, message count, last id and creation time", async () => {
    const { client, rooms } = await start();
    const chat = client();
    await chat.submit("lobby", "ann", "one");
    const last = await chat.submit("lobby", "ann", "two");
    const stream = chat.stream("lobby", { userId: "zed" });
    await stream.next();
    const info = await rooms.getRoom("lobby");
    expect(await chat.getRoom("lobby")).toEqual({
      roomId: "lobby",
      name: info.name,
      listeners: 1,
      members: ["zed"],
      messageCount: 2,
      lastMessageId: last.id,
      createdAt: timestampOf(info.createdAt),
    });
  });

  it("GetRoom answers an empty last_message_id for a room without messages", async () => {
    const { client } = await start();
    const chat = client();
    const stream = chat.stream("quiet");
    await stream.next();
    expect(await chat.getRoom("quiet")).toMatchObject({ messageCount: 0, lastMessageId: "" });
  });

  it("ListRooms lists every room, sorted by id", async () => {
    const { client } = await start();
    const chat = client();
    expect(await chat.listRooms()).toEqual({ rooms: [] });
    for (const room of ["b-room", "a-room", "c-room"]) await chat.submit(room, "ann", "hi");
    const { rooms } = await chat.listRooms();
    expect(rooms.map((r) => [r.roomId, r.messageCount])).toEqual([
      ["a-room", 1],
      ["b-room", 1],
      ["c-room", 1],
    ]);
  });

  it("ListMessages answers the latest `limit` messages oldest first, or pages forward after `since`", async () => {
    const { client } = await start();
    const chat = client();
    const sent = [];
    for (let i = 1; i <= 5; i++) sent.push(await chat.submit("lobby", "ann", `m${i}`));
    const texts = (r: { messages: readonly { text: string }[] }) => r.messages.map((m) => m.text);

    const all = await chat.listMessages("lobby");
    expect(all.roomId).toBe("lobby");
    expect(all.messages).toEqual(sent);
    expect(texts(await chat.listMessages("lobby", "", 2))).toEqual(["m4", "m5"]);
    expect(texts(await chat.listMessages("lobby", sent[0]?.id, 2))).toEqual(["m2", "m3"]);
    expect(texts(await chat.listMessages("lobby", sent[4]?.id))).toEqual([]);
    expect(all.recovered).toBe("RESUME_STATUS_UNSPECIFIED");
    expect((await chat.listMessages("lobby", sent[0]?.id)).recovered).toBe("RESUME_STATUS_RECOVERED");
    // A cursor of a history that was lost (another epoch): the page may be missing messages.
    const lost = cursorOfLostHistory(sent[2]?.id as string);
    const page = await chat.listMessages("lobby", lost);
    expect(page.recovered).toBe("RESUME_STATUS_INCOMPLETE");
    expect(page.messages).toEqual(sent);
  });

  it("DeleteRoom drops the room and its history; a second delete is NOT_FOUND", async () => {
    const { client } = await start();
    const chat = client();
    await chat.submit("lobby", "ann", "hi");
    expect(await chat.deleteRoom("lobby")).toEqual({});
    await expect(chat.getRoom("lobby")).rejects.toMatchObject({ code: status.NOT_FOUND });
    const error = await chat.deleteRoom("lobby").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: status.NOT_FOUND, details: "No such room: `lobby`" });
    expect(errorCodeOf(error as object)).toBe("room_not_found");
  });

  it("answers NOT_FOUND for GetRoom and ListMessages of a room that does not exist", async () => {
    const { client } = await start();
    const chat = client();
    await expect(chat.getRoom("nowhere")).rejects.toMatchObject({ code: status.NOT_FOUND });
    await expect(chat.listMessages("nowhere")).rejects.toMatchObject({ code: status.NOT_FOUND });
  });
});
