import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { killedAtDispose, type LiveCli, startServe } from "../../helpers/cli.js";
import { Disposer } from "../../helpers/disposer.js";
import { ChatTestClient, isMessage } from "../../helpers/grpc-client.js";
import { type OwnRedis, startOwnRedis } from "../../helpers/redis-server.js";
import {
  expectHealthzStoreUnavailable,
  expectServingAgain,
  messagesOf,
  post,
  sseClosedAtDispose,
  submit,
} from "../../helpers/server-processes.js";

const LEASE_MS = 1_500;
const disposer = new Disposer();
let redis: OwnRedis;

beforeEach(async () => {
  redis = disposer.add(await startOwnRedis(), (r) => r.stop());
});
afterEach(() => disposer.dispose());

async function serveOnRedis(): Promise<LiveCli & { httpUrl?: string; grpcAddress?: string }> {
  const cli = await startServe([
    "--redis",
    redis.url,
    "--presence-lease-ms",
    String(LEASE_MS),
    "--grace-ms",
    "500",
  ]);
  return killedAtDispose(disposer, cli);
}

describe("several chat-server processes on one Redis", () => {
  it("deliver the same messages with the same ids in the same order over SSE on one, gRPC on another, posted on a third", async () => {
    const [a, b, c] = await Promise.all([serveOnRedis(), serveOnRedis(), serveOnRedis()]);
    expect(await a.waitForStdout((out) => out.includes("store "))).toContain(`store redis ${redis.url}`);
    const stream = await sseClosedAtDispose(disposer, `${a.httpUrl}/stream/lobby`);
    expect((await stream.next())?.event).toBe("ready");
    const grpc = disposer.add(new ChatTestClient(b.grpcAddress as string), (x) => x.close());
    const events = grpc.stream("lobby");
    expect((await events.next()).event).toBe("ready");

    const posted: string[] = [];
    for (let i = 1; i <= 50; i++)
      posted.push((await post(c.httpUrl as string, "lobby", "carol", `m${i}`)).id);
    const viaSse = messagesOf(await stream.take(50)).map((e) => e.id);
    const viaGrpc = (await events.until(isMessage("m50"))).flatMap((e) =>
      e.event === "message" ? [e.message.id] : [],
    );
    expect(viaSse).toEqual(posted);
    expect(viaGrpc).toEqual(posted);

    const metrics = await (await fetch(`${c.httpUrl}/metrics`)).text();
    expect(Number(/^chat_store_round_trips_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(50);
    expect(metrics).toMatch(/^chat_bus_reconnects_total 0$/m);
    expect(metrics).toMatch(/^chat_bus_gaps_detected_total 0$/m);
  });

  it("share presence, and a SIGKILLed process's users leave after its lease while the others keep serving", async () => {
    const [a, b] = await Promise.all([serveOnRedis(), serveOnRedis()]);
    const watcher = await sseClosedAtDispose(disposer, `${a.httpUrl}/stream/lobby?userId=wendy`);
    expect((await watcher.next())?.event).toBe("ready");
    const doomed = await sseClosedAtDispose(disposer, `${b.httpUrl}/stream/lobby?userId=dora`);
    expect(JSON.parse((await doomed.next())?.data ?? "{}")).toMatchObject({ members: ["dora", "wendy"] });
    expect(await watcher.next()).toMatchObject({ event: "joined", json: { userId: "dora" } });

    b.child.kill("SIGKILL");
    // Nothing ends dora's stream cleanly: only her process's lease running out does.
    expect(await watcher.next()).toMatchObject({ event: "left", json: { userId: "dora" } });
    const room = (await (
      await fetch(`${a.httpUrl}/room/lobby`, { headers: { accept: "application/json" } })
    ).json()) as {
      members: string[];
    };
    expect(room.members).toEqual(["wendy"]);
    const { id } = await post(a.httpUrl as string, "lobby", "wendy", "still here");
    expect(await watcher.next()).toMatchObject({ event: "message", id });
  });

  it("lets an SSE client of a process stopped with SIGTERM resume on another with Last-Event-ID, losing nothing", async () => {
    const [a, b] = await Promise.all([serveOnRedis(), serveOnRedis()]);
    const first = await sseClosedAtDispose(disposer, `${a.httpUrl}/stream/lobby`);
    expect((await first.next())?.event).toBe("ready");
    await post(b.httpUrl as string, "lobby", "carol", "before");
    const seen = await first.until((e) => e.event === "message");

    a.child.kill("SIGTERM");
    expect(await first.ended).toBe("end");
    const missed = [];
    for (let i = 1; i <= 5; i++)
      missed.push((await post(b.httpUrl as string, "lobby", "carol", `during${i}`)).id);

    const resumed = await sseClosedAtDispose(disposer, `${b.httpUrl}/stream/lobby`, {
      "last-event-id": seen.id as string,
    });
    const ready = await resumed.next();
    expect(JSON.parse(ready?.data ?? "{}")).toMatchObject({ recovered: true });
    expect((await resumed.take(5)).map((e) => e.id)).toEqual(missed);
    expect((await a.exit).code).toBe(0);
  });
});

describe("a chat-server process whose Redis goes away", () => {
  it("answers 503 store_unavailable and an unhealthy /healthz meanwhile, then serves again by itself", async () => {
    const server = await serveOnRedis();
    const base = server.httpUrl as string;
    await post(base, "lobby", "ann", "before");
    await redis.stop();
    // Bounded re-checks: nothing of ours announces that another process went away.
    let answer: Response | undefined;
    for (let i = 0; i < 200 && answer?.status !== 503; i++) {
      answer = await submit(base, "lobby", "ann", "while down");
    }
    expect(answer?.status).toBe(503);
    expect(await answer?.json()).toMatchObject({ error: { code: "store_unavailable" } });
    await expectHealthzStoreUnavailable(base);

    await redis.start();
    await expectServingAgain(disposer, base);
  });
});
