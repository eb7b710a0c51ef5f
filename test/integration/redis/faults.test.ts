import { createClient } from "@redis/client";
import { afterEach, describe, expect, it } from "vitest";
import { HistoryLostError, RoomManager, StoreUnavailableError } from "../../../src/rooms/index.js";
import { RedisRoomStore } from "../../../src/stores/redis/index.js";
import { expectListenersCountedAgainAfterLapse } from "../../contract/lease-lapse.js";
import { Disposer } from "../../helpers/disposer.js";
import { type OwnRedis, startOwnRedis } from "../../helpers/redis-server.js";
import { RoomListenerReader, readyEventOf } from "../../helpers/rooms.js";
import { startTcpProxy } from "../../helpers/tcp-proxy.js";

const disposer = new Disposer();
afterEach(() => disposer.dispose());

async function setUp(): Promise<{ redis: OwnRedis; store: RedisRoomStore; manager: RoomManager }> {
  const redis = disposer.add(await startOwnRedis(), (r) => r.stop());
  const store = disposer.add(await RedisRoomStore.connect({ url: redis.url }), (s) => s.close());
  const manager = disposer.add(new RoomManager({ store, positionCheckMs: 200 }), (m) => m.close());
  return { redis, store, manager };
}

/**
 * Waits for a state another process causes (Redis gone or back), which no
 * event of ours announces: re-checks it a bounded number of times.
 */
async function eventually(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`never happened: ${what}`);
}

async function adminClient(url: string) {
  const client = createClient({ url });
  client.on("error", () => undefined);
  await client.connect();
  return disposer.add(client, (c) => c.destroy());
}

describe("Redis store faults", () => {
  it("counts a process's listeners again when it comes back after its lease ran out", async () => {
    const redis = disposer.add(await startOwnRedis(), (r) => r.stop());
    const proxy = disposer.add(await startTcpProxy(Number(new URL(redis.url).port)), (p) => p.close());
    const viaProxy = new URL(redis.url);
    viaProxy.port = String(proxy.port);
    const connect = (url: string) =>
      RedisRoomStore.connect({ url, presenceLeaseMs: 600 }).then((s) => disposer.add(s, (x) => x.close()));
    await expectListenersCountedAgainAfterLapse({
      lapsing: await connect(viaProxy.toString()),
      sweeping: await connect(redis.url),
      cut: () => proxy.cut(),
      restore: () => proxy.restore(),
    });
  }, 20_000);

  it("keeps listeners contiguous (or ends them resumably) when the Pub/Sub connection is killed during a flood", async () => {
    const { redis, manager, store } = await setUp();
    const reader = new RoomListenerReader(await manager.openListener("lobby"), "batch");
    const admin = await adminClient(redis.url);
    for (let i = 1; i <= 2_000; i++) {
      await manager.submit({ roomId: "lobby", userId: "ann", text: `m${i}` });
      if (i === 500 || i === 1_200) await admin.sendCommand(["CLIENT", "KILL", "TYPE", "pubsub"]);
    }
    await reader.untilText("m2000");
    const offsets = reader.messages.map((m) => Number(m.id.split("-")[1]));
    if (reader.error === undefined) {
      expect(offsets).toEqual(Array.from({ length: 2_000 }, (_, i) => i + 1));
    } else {
      expect(reader.error).toBeInstanceOf(HistoryLostError);
      expect(offsets).toEqual(Array.from({ length: offsets.length }, (_, i) => i + 1));
    }
    expect(store.stats.busReconnects).toBeGreaterThanOrEqual(2);
  });

  it("starts a new epoch after Redis restarts empty, and a resuming listener is told recovered:false", async () => {
    const { redis, manager } = await setUp();
    const reader = new RoomListenerReader(await manager.openListener("lobby"));
    const before = await manager.submit({ roomId: "lobby", userId: "ann", text: "before" });
    await reader.untilText("before");

    await redis.stop();
    await redis.start();
    await eventually(() => manager.healthy, "the store reconnected");
    // The listener's history is gone: the next message (of a new epoch) or the position check ends it.
    await eventually(async () => {
      await manager.submit({ roomId: "lobby", userId: "ann", text: "after" }).catch(() => undefined);
      return reader.ended;
    }, "the listener ended");
    expect(reader.error).toBeInstanceOf(HistoryLostError);
    expect(reader.messages.map((m) => m.text)).toEqual(["before"]);

    const resumed = await manager.openListener("lobby", { since: before.id });
    const ready = await readyEventOf(resumed);
    expect(ready.recovered).toBe(false);
    expect(ready.lastId?.split("-")[0]).not.toBe(before.id.split("-")[0]);
    resumed.close();
  });

  it("answers store_unavailable while Redis is down, reports unhealthy, and recovers by itself", async () => {
    const { redis, manager } = await setUp();
    await manager.submit({ roomId: "lobby", userId: "ann", text: "one" });
    await redis.stop();
    await eventually(() => !manager.healthy, "the store reported unhealthy");
    await expect(manager.submit({ roomId: "lobby", userId: "ann", text: "lost?" })).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    await expect(manager.openListener("lobby")).rejects.toMatchObject({ code: "store_unavailable" });

    await redis.start();
    await eventually(() => manager.healthy, "the store reconnected");
    const listener = await manager.openListener("lobby");
    expect((await readyEventOf(listener)).recovered).toBeNull();
    expect((await manager.submit({ roomId: "lobby", userId: "ann", text: "two" })).text).toBe("two");
    listener.close();
  });
});
