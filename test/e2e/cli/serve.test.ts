import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { freePort, killedAtDispose, startServe } from "../../helpers/cli.js";
import { Disposer } from "../../helpers/disposer.js";
import { openWs } from "../../helpers/ws-client.js";

const disposer = new Disposer();
afterEach(() => disposer.dispose());

/** True when something accepts TCP connections on the port. */
function isOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("chat-server serve", () => {
  it("serves every adapter by default and prints one line per adapter, then where rooms live", async () => {
    const cli = await startServe([]);
    killedAtDispose(disposer, cli);
    // The auth line is the last one printed; waiting for it means every line is in.
    const lines = (await cli.waitForStdout((out) => /^auth .*\n/m.test(out))).trim().split("\n");
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(["rest", "html", "ws", "grpc", "store", "auth"]);
    expect(lines[2]).toBe(
      `ws    ${cli.httpUrl?.replace(/^http/, "ws")}/ws/:roomId  (WebSocket, on the HTTP port)`,
    );
    expect(lines[4]).toMatch(/^store in memory/);
    const health = await fetch(`${cli.httpUrl}/healthz`);
    expect(await health.json()).toEqual({ status: "ok" });
    const page = await fetch(`${cli.httpUrl}/room/lobby`, { headers: { accept: "text/html" } });
    expect(page.headers.get("content-type")).toContain("text/html");
    const port = Number(cli.grpcAddress?.split(":").at(-1));
    expect(await isOpen(port)).toBe(true);
  });

  it("serves only REST with --only rest: no pages, and the gRPC port stays closed", async () => {
    const grpcPort = await freePort();
    const cli = await startServe(["--only", "rest", "--grpc-port", String(grpcPort)], 1);
    killedAtDispose(disposer, cli);
    expect(cli.stdout()).not.toMatch(/^(html|grpc) /m);
    const index = await fetch(`${cli.httpUrl}/`, { headers: { accept: "text/html" } });
    expect(index.status).toBe(404);
    const room = await fetch(`${cli.httpUrl}/room/lobby`, { headers: { accept: "text/html" } });
    expect(room.headers.get("content-type")).toContain("application/json");
    expect(await isOpen(grpcPort)).toBe(false);
  });

  it("serves only the pages and their routes with --only html", async () => {
    const cli = await startServe(["--only", "html"], 1);
    killedAtDispose(disposer, cli);
    expect((await fetch(`${cli.httpUrl}/`)).status).toBe(200);
    const post = await fetch(`${cli.httpUrl}/room/lobby`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "user=ann&message=hi",
      redirect: "manual",
    });
    expect(post.status).toBe(303);
    // The API's methods are not there: 405, naming the pages' own.
    const remove = await fetch(`${cli.httpUrl}/room/lobby`, { method: "DELETE" });
    expect([remove.status, remove.headers.get("allow")]).toEqual([405, "GET, HEAD, POST"]);
    const list = await fetch(`${cli.httpUrl}/rooms`);
    expect([list.status, list.headers.get("allow")]).toEqual([405, "POST"]);
  });

  it("serves only gRPC with --only grpc, and no HTTP port is opened", async () => {
    const httpPort = await freePort();
    const cli = await startServe(["--only", "grpc", "--http-port", String(httpPort)], 1);
    killedAtDispose(disposer, cli);
    expect(cli.stdout()).toMatch(/^grpc /m);
    expect(await isOpen(httpPort)).toBe(false);
  });

  it("serves only WebSockets with --only ws: no REST API, no pages, no gRPC", async () => {
    const grpcPort = await freePort();
    const cli = await startServe(["--only", "ws", "--grpc-port", String(grpcPort)], 1);
    killedAtDispose(disposer, cli);
    expect(cli.stdout()).not.toMatch(/^(rest|html|grpc) /m);
    expect((await fetch(`${cli.httpUrl}/rooms`)).status).toBe(404);
    expect((await fetch(`${cli.httpUrl}/healthz`)).status).toBe(200);
    const socket = await openWs(`${cli.httpUrl?.replace(/^http/, "ws")}/ws/lobby`);
    expect(await socket.next()).toMatchObject({ type: "ready", roomId: "lobby" });
    socket.close();
    expect(await isOpen(grpcPort)).toBe(false);
  });

  it("accepts --only as a repeated, comma-separated list", async () => {
    const cli = await startServe(["--only", "rest,html", "--only", "grpc"], 3);
    killedAtDispose(disposer, cli);
    expect(cli.stdout()).toMatch(/^grpc /m);
  });

  it("reads its options from the environment (CHAT_ONLY, CHAT_HTTP_PORT)", async () => {
    const httpPort = await freePort();
    const cli = await startServe([], 1, { CHAT_ONLY: "rest", CHAT_HTTP_PORT: String(httpPort) });
    killedAtDispose(disposer, cli);
    expect(cli.stdout()).not.toMatch(/^(html|grpc) /m);
    expect(cli.httpUrl).toBe(`http://127.0.0.1:${httpPort}`);
  });
});
