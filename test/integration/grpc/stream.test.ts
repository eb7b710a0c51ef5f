import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import type { WireEvent } from "../../../src/adapters/grpc/index.js";
import { isMessage, StreamEndedError, textOf } from "../../helpers/grpc-client.js";
import { metricValue, useGrpcServers } from "../../helpers/grpc-server.js";

const start = useGrpcServers();

const messages = (events: WireEvent[]) => events.map(textOf).filter((t) => t !== undefined);

describe("gRPC Stream", () => {
  it("starts with ready (live only, no cursor), then delivers messages submitted after it", async () => {
    const { client } = await start();
    const chat = client();
    const stream = chat.stream("lobby");
    expect(await stream.next()).toEqual({
      event: "ready",
      ready: { roomId: "lobby", members: [], lastId: "", recovered: "RESUME_STATUS_UNSPECIFIED" },
    });
    const sent = await chat.submit("lobby", "ann", "hello");
    expect(await stream.next()).toEqual({ event: "message", message: sent });
  });

  it("reports the room's latest id in ready and does not replay history without a cursor", async () => {
    const { client } = await start();
    const chat = client();
    await chat.submit("lobby", "ann", "old one");
    const last = await chat.submit("lobby", "ann", "old two");
    const stream = chat.stream("lobby");
    const ready = await stream.next();
    expect(ready.event === "ready" && ready.ready.lastId).toBe(last.id);
    await chat.submit("lobby", "ann", "sentinel");
    expect(textOf(await stream.next())).toBe("sentinel");
  });

  it("resumes after `since` with every later message, then live ones, and says the resume is complete", async () => {
    const { client } = await start();
    const chat = client();
    const sent = [];
    for (const text of ["m1", "m2", "m3", "m4"]) sent.push(await chat.submit("lobby", "ann", text));
    const stream = chat.stream("lobby", { since: sent[1]?.id as string });
    const ready = await stream.next();
    expect(ready).toMatchObject({
      event: "ready",
      ready: { recovered: "RESUME_STATUS_RECOVERED", lastId: sent[3]?.id },
    });
    await chat.submit("lobby", "ann", "m5");
    expect(messages(await stream.until(isMessage("m5")))).toEqual(["m3", "m4", "m5"]);
  });

  it("resumes with no gap and no duplicate while messages are being submitted", async () => {
    const { client } = await start();
    const chat = client();
    const first = await chat.submit("lobby", "ann", "m0");
    const texts = Array.from({ length: 40 }, (_, i) => `m${i + 1}`);
    // Submissions race the stream's opening: some land before its replay, some after.
    const submitting = (async () => {
      for (const text of texts) await chat.submit("lobby", "ann", text);
    })();
    const stream = chat.stream("lobby", { since: first.id });
    const ready = await stream.next().finally(() => submitting.catch(() => undefined));
    expect(ready.event).toBe("ready");
    await submitting;
    expect(messages(await stream.until(isMessage("m40")))).toEqual(texts);
    await chat.submit("lobby", "ann", "sentinel");
    expect(textOf(await stream.next())).toBe("sentinel");
  });

  it("says the resume is incomplete for a cursor from a lost history, and replays what is retained", async () => {
    const { client } = await start();
    const chat = client();
    const lost = await chat.submit("lobby", "ann", "before deletion");
    await chat.deleteRoom("lobby");
    await chat.submit("lobby", "ann", "after deletion");
    const stream = chat.stream("lobby", { since: lost.id });
    expect(await stream.next()).toMatchObject({ ready: { recovered: "RESUME_STATUS_INCOMPLETE" } });
    expect(textOf(await stream.next())).toBe("after deletion");
  });

  it("says the resume is incomplete for a cursor older than the retained history", async () => {
    const { client } = await start({ rooms: { historyLimit: 2 } });
    const chat = client();
    const first = await chat.submit("lobby", "ann", "m1");
    for (const text of ["m2", "m3", "m4"]) await chat.submit("lobby", "ann", text);
    const stream = chat.stream("lobby", { since: first.id });
    expect(await stream.next()).toMatchObject({ ready: { recovered: "RESUME_STATUS_INCOMPLETE" } });
    expect([textOf(await stream.next()), textOf(await stream.next())]).toEqual(["m3", "m4"]);
  });

  it("announces presence: joined on a user's first stream, left when it ends, members in ready", async () => {
    const { client } = await start();
    const watcher = client().stream("lobby", { userId: "ann" });
    expect(await watcher.next()).toMatchObject({ ready: { members: ["ann"] } });
    const bob = client().stream("lobby", { userId: "bob" });
    expect(await bob.next()).toMatchObject({ ready: { members: ["ann", "bob"] } });
    expect(await watcher.next()).toEqual({ event: "joined", joined: { roomId: "lobby", userId: "bob" } });
    bob.cancel();
    expect(await watcher.next()).toEqual({ event: "left", left: { roomId: "lobby", userId: "bob" } });
  });

  it("frees the listener when the client cancels: the room's listener count and open streams drop", async () => {
    const { client, rooms, metrics } = await start();
    const watcher = client().stream("lobby", { userId: "ann" });
    await watcher.next();
    const leaving = client().stream("lobby", { userId: "bob" });
    await leaving.next();
    await watcher.next(); // bob joined
    expect((await rooms.getRoom("lobby")).listeners).toBe(2);
    expect(await metricValue(metrics, "chat_open_streams", { adapter: "grpc" })).toBe(2);

    leaving.cancel();
    expect((await leaving.ended()).code).toBe(status.CANCELLED);
    expect(await watcher.next()).toMatchObject({ event: "left" });
    expect(await rooms.getRoom("lobby")).toMatchObject({ listeners: 1, members: ["ann"] });
    expect(await metricValue(metrics, "chat_open_streams", { adapter: "grpc" })).toBe(1);
  });

  it("ends every stream of a deleted room with a deleted event and status OK", async () => {
    const { client } = await start();
    const chat = client();
    const one = chat.stream("doomed", { userId: "ann" });
    const two = client().stream("doomed");
    await one.next();
    await two.next();
    await chat.deleteRoom("doomed");
    for (const stream of [one, two]) {
      const { events, status: ended } = await stream.rest();
      expect(events.at(-1)).toEqual({ event: "deleted", deleted: { roomId: "doomed" } });
      expect(ended.code).toBe(status.OK);
    }
    await expect(chat.getRoom("doomed")).rejects.toMatchObject({ code: status.NOT_FOUND });
  });

  it("ends open streams with UNAVAILABLE when the rooms close under them, so clients resume elsewhere", async () => {
    const { client, rooms } = await start();
    const stream = client().stream("lobby");
    await stream.next();
    await rooms.close();
    const ended = await stream.ended();
    expect(ended.code).toBe(status.UNAVAILABLE);
    expect(ended.details).toMatch(/shutting down.*since/);
    await expect(stream.next()).rejects.toBeInstanceOf(StreamEndedError);
  });

  it("counts deliveries in the metrics", async () => {
    const { client, metrics } = await start();
    const chat = client();
    const stream = chat.stream("lobby");
    await stream.next();
    await chat.submit("lobby", "ann", "one");
    await stream.next();
    expect(await metricValue(metrics, "chat_deliveries_total", { adapter: "grpc" })).toBe(2);
  });
});
