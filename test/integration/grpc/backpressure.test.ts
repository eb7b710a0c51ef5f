import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import type { WireEvent } from "../../../src/adapters/grpc/index.js";
import { isMessage, textOf } from "../../helpers/grpc-client.js";
import { metricValue, useGrpcServers } from "../../helpers/grpc-server.js";

const start = useGrpcServers();

const texts = (events: WireEvent[]) => events.map(textOf).filter((t) => t !== undefined);
/** 1 KiB texts, so the connection's flow-control window (64 KiB) fills after a few dozen. */
const PADDING = "x".repeat(1000);
const numbered = (i: number) => `${String(i).padStart(5, "0")} ${PADDING}`;

describe("gRPC slow streams", () => {
  it("ends a stream that stopped reading with RESOURCE_EXHAUSTED, while a reading stream gets everything", async () => {
    const { client, rooms, metrics } = await start({
      rooms: { listenerQueueSize: 64, maxMessageBytes: 2048 },
    });
    const stalled = client().stream("flood", { userId: "stalled" });
    await stalled.next();
    stalled.pause();
    const reader = client().stream("flood", { userId: "reader" });
    await reader.next();

    // Rounds of 32: the reader reads each round to its end, so only the stalled
    // stream falls behind. Its eviction ends its listener, which the reader
    // sees as `left`.
    const received: WireEvent[] = [];
    let sent = 0;
    let evicted = false;
    for (let round = 0; round < 100 && !evicted; round++) {
      for (let i = 0; i < 32; i++)
        await rooms.submit({ roomId: "flood", userId: "bot", text: numbered(++sent) });
      const events = await reader.until(isMessage(numbered(sent)));
      evicted ||= events.some((e) => e.event === "left" && e.left.userId === "stalled");
      received.push(...events);
    }
    expect(evicted).toBe(true);
    expect(texts(received)).toEqual(Array.from({ length: sent }, (_, i) => numbered(i + 1)));

    // Reading again, the stalled client gets what was already on its way, then the status.
    const { events, status: ended } = await stalled.rest();
    expect(ended.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(ended.details).toMatch(/too slowly.*since/);
    const got = texts(events);
    expect(got.length).toBeLessThan(sent);
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => numbered(i + 1)));
    expect(await metricValue(metrics, "chat_slow_consumer_evictions_total", { adapter: "grpc" })).toBe(1);

    // And resumes from its last id with nothing missing.
    const lastId = events.findLast((e) => e.event === "message");
    const resumed = client().stream("flood", {
      since: lastId?.event === "message" ? lastId.message.id : "",
    });
    expect(await resumed.next()).toMatchObject({ ready: { recovered: "RESUME_STATUS_RECOVERED" } });
    const rest = texts(await resumed.until(isMessage(numbered(sent))));
    expect([...got, ...rest]).toEqual(Array.from({ length: sent }, (_, i) => numbered(i + 1)));
  });

  it("writes a replay longer than maxBufferedMessages to a reading client in slices, without evicting it", async () => {
    const { client, metrics } = await start({ maxBufferedMessages: 4 });
    const chat = client();
    const first = await chat.submit("lobby", "ann", "m0");
    for (let i = 1; i <= 10; i++) await chat.submit("lobby", "ann", `m${i}`);
    // The replay is one listener batch of 11 events; the pump writes it 2 at a time.
    const stream = chat.stream("lobby", { since: first.id });
    expect((await stream.next()).event).toBe("ready");
    await chat.submit("lobby", "ann", "sentinel");
    const received = texts(await stream.until(isMessage("sentinel")));
    expect(received).toEqual([...Array.from({ length: 10 }, (_, i) => `m${i + 1}`), "sentinel"]);
    expect(
      await metricValue(metrics, "chat_slow_consumer_evictions_total", { reason: "slow_consumer" }),
    ).toBe(0);
  });

  it("replays a full history to a reading client without counting it as backpressure (default bound)", async () => {
    const { client, rooms } = await start({ rooms: { historyLimit: 1500 } });
    const chat = client();
    const first = await chat.submit("big", "ann", "m0");
    for (let i = 1; i <= 1499; i++) await rooms.submit({ roomId: "big", userId: "ann", text: `m${i}` });
    const stream = chat.stream("big", { since: first.id });
    expect(await stream.next()).toMatchObject({ ready: { recovered: "RESUME_STATUS_RECOVERED" } });
    await chat.submit("big", "ann", "sentinel");
    const replayed = texts(await stream.until(isMessage("sentinel")));
    expect(replayed).toHaveLength(1500);
    expect(replayed.at(-2)).toBe("m1499");
  });
});
