import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { killedAtDispose, type LiveCli, startServe } from "../../helpers/cli.js";
import { Disposer } from "../../helpers/disposer.js";
import { dropSchema, TEST_POSTGRES_URL, testSchema } from "../../helpers/postgres.js";
import { startOwnRedis } from "../../helpers/redis-server.js";
import {
  expectHealthzStoreUnavailable,
  expectServingAgain,
  messagesOf,
  post,
  sseClosedAtDispose,
  submit,
} from "../../helpers/server-processes.js";
import { startTcpProxy } from "../../helpers/tcp-proxy.js";

const LEASE_MS = 1_500;
const disposer = new Disposer();
let schema: string;

beforeEach(() => {
  schema = testSchema();
  disposer.add(schema, dropSchema);
});
afterEach(() => disposer.dispose());

async function serveOnPostgres(
  url = TEST_POSTGRES_URL,
  extra: readonly string[] = [],
): Promise<LiveCli & { httpUrl?: string }> {
  const cli = await startServe(
    [
      ...extra,
      "--only",
      "rest",
      "--postgres",
      url,
      "--postgres-schema",
      schema,
      "--presence-lease-ms",
      String(LEASE_MS),
      "--grace-ms",
      "500",
    ],
    1,
  );
  return killedAtDispose(disposer, cli);
}

async function history(base: string, roomId: string): Promise<{ id: string; text: string }[]> {
  const response = await fetch(`${base}/room/${roomId}/messages?limit=1000`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { messages: { id: string; text: string }[] }).messages;
}

async function killed(cli: LiveCli): Promise<void> {
  cli.child.kill("SIGKILL");
  expect((await cli.exit).signal).toBe("SIGKILL");
}

describe("chat-server processes on one PostgreSQL database", () => {
  it("keep every accepted message through a SIGKILL of every process: same ids, and a resuming client gets recovered:true and nothing twice", async () => {
    const [a, b] = await Promise.all([serveOnPostgres(), serveOnPostgres()]);
    expect(await a.waitForStdout((out) => out.includes("store "))).toContain("store postgres ");
    const live = await sseClosedAtDispose(disposer, `${a.httpUrl}/stream/lobby`);
    expect((await live.next())?.event).toBe("ready");
    const posted: string[] = [];
    for (let i = 1; i <= 60; i++) {
      const base = (i % 2 === 0 ? a : b).httpUrl as string;
      posted.push((await post(base, "lobby", "carol", `m${i}`)).id);
    }
    // Every process delivers what the other accepted, in offset order.
    expect(messagesOf(await live.take(60)).map((e) => e.id)).toEqual(posted);

    const metrics = await (await fetch(`${a.httpUrl}/metrics`)).text();
    expect(Number(/^chat_store_round_trips_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(30);
    expect(metrics).toMatch(/^chat_bus_reconnects_total 0$/m);

    await Promise.all([killed(a), killed(b)]);
    const restarted = await serveOnPostgres();
    const base = restarted.httpUrl as string;
    expect((await history(base, "lobby")).map((m) => m.id)).toEqual(posted);

    const resumed = await sseClosedAtDispose(disposer, `${base}/stream/lobby`, {
      "last-event-id": posted[39] as string,
    });
    expect(JSON.parse((await resumed.next())?.data ?? "{}")).toMatchObject({ recovered: true });
    expect((await resumed.take(20)).map((e) => e.id)).toEqual(posted.slice(40));
    const { id } = await post(base, "lobby", "carol", "after the restart");
    expect(await resumed.next()).toMatchObject({ event: "message", id });
  });

  it("share presence, and a SIGKILLed process's users leave after its lease", async () => {
    const [a, b] = await Promise.all([serveOnPostgres(), serveOnPostgres()]);
    const watcher = await sseClosedAtDispose(disposer, `${a.httpUrl}/stream/lobby?userId=wendy`);
    expect((await watcher.next())?.event).toBe("ready");
    const doomed = await sseClosedAtDispose(disposer, `${b.httpUrl}/stream/lobby?userId=dora`);
    expect(JSON.parse((await doomed.next())?.data ?? "{}")).toMatchObject({ members: ["dora", "wendy"] });
    expect(await watcher.next()).toMatchObject({ event: "joined", json: { userId: "dora" } });

    await killed(b);
    // Nothing ends dora's stream cleanly: only her process's lease running out does.
    expect(await watcher.next()).toMatchObject({ event: "left", json: { userId: "dora" } });
    const room = await fetch(`${a.httpUrl}/room/lobby`, { headers: { accept: "application/json" } });
    expect(((await room.json()) as { members: string[] }).members).toEqual(["wendy"]);
  });
});

describe("chat-server processes on PostgreSQL with events over Redis", () => {
  it("keep every message through a SIGKILL of every process and a Redis restart without persistence: same ids, same epoch, recovered:true", async () => {
    const redis = disposer.add(await startOwnRedis(), (r) => r.stop());
    const withRedis = ["--redis", redis.url];
    const [a, b] = await Promise.all([
      serveOnPostgres(TEST_POSTGRES_URL, withRedis),
      serveOnPostgres(TEST_POSTGRES_URL, withRedis),
    ]);
    expect(await a.waitForStdout((out) => out.includes("store "))).toContain(
      `events over redis ${redis.url}`,
    );
    const live = await sseClosedAtDispose(disposer, `${a.httpUrl}/stream/lobby`);
    expect((await live.next())?.event).toBe("ready");
    const posted: string[] = [];
    for (let i = 1; i <= 40; i++)
      posted.push((await post((i % 2 === 0 ? a : b).httpUrl as string, "lobby", "carol", `m${i}`)).id);
    expect(messagesOf(await live.take(40)).map((e) => e.id)).toEqual(posted);

    await Promise.all([killed(a), killed(b)]);
    await redis.stop();
    await redis.start();
    const restarted = await serveOnPostgres(TEST_POSTGRES_URL, withRedis);
    const base = restarted.httpUrl as string;
    expect((await history(base, "lobby")).map((m) => m.id)).toEqual(posted);
    const resumed = await sseClosedAtDispose(disposer, `${base}/stream/lobby`, {
      "last-event-id": posted[29] as string,
    });
    expect(JSON.parse((await resumed.next())?.data ?? "{}")).toMatchObject({ recovered: true });
    expect((await resumed.take(10)).map((e) => e.id)).toEqual(posted.slice(30));
    const { id } = await post(base, "lobby", "carol", "after the restarts");
    expect(await resumed.next()).toMatchObject({ event: "message", id });
  });
});

describe("a chat-server process whose database becomes unreachable", () => {
  it("answers 503 store_unavailable and an unhealthy /healthz, loses nothing accepted, then serves again by itself", async () => {
    const proxy = disposer.add(await startTcpProxy(Number(new URL(TEST_POSTGRES_URL).port)), (p) =>
      p.close(),
    );
    const url = new URL(TEST_POSTGRES_URL);
    url.port = String(proxy.port);
    const server = await serveOnPostgres(url.toString());
    const base = server.httpUrl as string;
    const before = await post(base, "lobby", "ann", "before");

    await proxy.cut();
    const refused = await submit(base, "lobby", "ann", "while down");
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: { code: "store_unavailable" } });
    await expectHealthzStoreUnavailable(base);

    await proxy.restore();
    await expectServingAgain(disposer, base);
    // The refused submit left nothing behind.
    expect((await history(base, "lobby")).map((m) => m.text)).toEqual(["before", "after"]);
    expect((await history(base, "lobby"))[0]?.id).toBe(before.id);
  });
});
