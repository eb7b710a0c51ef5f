import { once } from "node:events";
import { connect } from "node:net";
import { status } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { WS_CLOSE } from "../../../src/adapters/ws/index.js";
import { killedAtDispose, type LiveCli, startServe } from "../../helpers/cli.js";
import { Disposer } from "../../helpers/disposer.js";
import { ChatTestClient, isMessage } from "../../helpers/grpc-client.js";
import { openSse, type SseConnection } from "../../helpers/http-sse.js";
import { openWs } from "../../helpers/ws-client.js";

const disposer = new Disposer();
afterEach(() => disposer.dispose());

/** Logs at info, where the shutdown notice is. */
const INFO = { CHAT_LOG_LEVEL: "info" };

/** Resolves once the server has logged that its shutdown began. */
function untilShuttingDown(server: LiveCli): Promise<void> {
  return new Promise<void>((resolve) => {
    const check = (): void => {
      if (server.stderr().includes("shutting down")) resolve();
      else server.child.stderr?.once("data", check);
    };
    check();
  });
}

describe("chat-server serve shutdown", () => {
  it("on SIGTERM ends SSE streams cleanly, ends gRPC streams with UNAVAILABLE, closes WebSockets with 1012, and exits 0", async () => {
    const server = await startServe([], 4, INFO);
    killedAtDispose(disposer, server);
    const sse = await openSse(`${server.httpUrl}/stream/lobby?userId=ann`);
    disposer.defer(() => sse.close());
    expect((await sse.next())?.event).toBe("ready");
    const grpc = new ChatTestClient(server.grpcAddress as string);
    disposer.defer(() => grpc.close());
    const stream = grpc.stream("lobby", { userId: "bob" });
    expect((await stream.next()).event).toBe("ready");

    const socket = await openWs(`${server.httpUrl?.replace(/^http/, "ws")}/ws/lobby?userId=dan`);
    disposer.defer(() => socket.close());
    expect((await socket.next())?.type).toBe("ready");

    const posted = await grpc.submit("lobby", "carol", "before shutdown");
    expect((await sse.until((e) => e.event === "message")).id).toBe(posted.id);
    expect((await socket.until((f) => f.type === "message")).id).toBe(posted.id);
    await stream.until(isMessage("before shutdown"));

    server.child.kill("SIGTERM");
    expect(await sse.ended).toBe("end");
    const ended = await stream.ended();
    expect(ended.code).toBe(status.UNAVAILABLE);
    expect(await socket.closed).toEqual({
      code: WS_CLOSE.serviceRestart,
      reason: `server restarting: reconnect with since=${posted.id}`,
    });
    const exit = await server.exit;
    expect(exit.code).toBe(0);
    const notice = exit.stderr
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as { msg: string; signal?: string })
      .find((line) => line.msg.startsWith("shutting down"));
    expect(notice?.signal).toBe("SIGTERM");
  });

  it("on SIGTERM answers /healthz 503 through the grace period while it still serves, then stops listening", async () => {
    const server = killedAtDispose(
      disposer,
      await startServe(["--only", "rest", "--grace-ms", "4000"], 1, INFO),
    );
    const sse = await openSse(`${server.httpUrl}/stream/lobby?userId=ann`);
    disposer.defer(() => sse.close());
    expect((await sse.next())?.event).toBe("ready");

    server.child.kill("SIGTERM");
    await untilShuttingDown(server);
    const health = await fetch(`${server.httpUrl}/healthz`);
    expect(health.status).toBe(503);
    expect(((await health.json()) as { error: { code: string } }).error.code).toBe("shutting_down");
    // A balancer may still send a client here before it has seen the 503: it is served.
    const posted = await fetch(`${server.httpUrl}/room/lobby`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ userId: "bob", text: "while draining" }),
    });
    expect(posted.status).toBe(201);
    const { id } = (await posted.json()) as { id: string };
    expect((await sse.until((e) => e.event === "message")).id).toBe(id);

    expect(await sse.ended).toBe("end");
    expect((await server.exit).code).toBe(0);
    await expect(fetch(`${server.httpUrl}/healthz`)).rejects.toThrow();
  });

  it("on SIGINT (a person at a terminal) stops listening at once", async () => {
    const server = killedAtDispose(disposer, await startServe(["--only", "rest", "--grace-ms", "600000"], 1));
    server.child.kill("SIGINT");
    expect((await server.exit).code).toBe(0);
  });

  it("exits 0 on SIGINT with two thousand open SSE streams", { timeout: 60_000 }, async () => {
    const server = await startServe(["--only", "rest"], 1);
    killedAtDispose(disposer, server);
    const streams: SseConnection[] = [];
    for (let i = 0; i < 2000; i++) {
      const stream = await openSse(`${server.httpUrl}/stream/room-${i % 20}`);
      disposer.defer(() => stream.close());
      streams.push(stream);
    }
    server.child.kill("SIGINT");
    const endings = await Promise.all(streams.map((s) => s.ended));
    expect(endings.every((e) => e === "end")).toBe(true);
    expect((await server.exit).code).toBe(0);
  });

  it("exits at once on a second signal while the first shutdown waits for a connection", async () => {
    const server = await startServe(["--only", "rest", "--grace-ms", "600000"], 1, INFO);
    killedAtDispose(disposer, server);
    // A request whose body never finishes keeps its connection busy through the grace period.
    const port = Number(new URL(server.httpUrl as string).port);
    const socket = connect(port, "127.0.0.1");
    socket.on("error", () => undefined);
    disposer.defer(() => socket.destroy());
    await once(socket, "connect");
    socket.write(
      "POST /room/lobby HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n",
    );
    // `100 Continue` means the server has taken the request and now waits for its body.
    const [interim] = (await once(socket, "data")) as [Buffer];
    expect(interim.toString()).toContain("100 Continue");
    socket.write("{");
    server.child.kill("SIGTERM");
    await untilShuttingDown(server);
    server.child.kill("SIGTERM");
    const exit = await server.exit;
    expect(exit).toMatchObject({ code: 143 });
  });
});
