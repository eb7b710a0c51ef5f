import { afterEach, describe, expect, it } from "vitest";
import { killedAtDispose, type LiveCli, startServe } from "../../helpers/cli.js";
import { Disposer } from "../../helpers/disposer.js";
import { ChatTestClient } from "../../helpers/grpc-client.js";
import { openSse } from "../../helpers/http-sse.js";
import { openWs } from "../../helpers/ws-client.js";

const disposer = new Disposer();
afterEach(() => disposer.dispose());

type LogLine = { level: number; msg: string } & Record<string, unknown>;

/** Every stderr line, each of which must be one JSON object. */
function logLines(server: LiveCli): LogLine[] {
  return server
    .stderr()
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as LogLine);
}

/** Resolves with the first log line that has all of `fields`, once the server wrote it. */
async function logged(server: LiveCli, fields: Record<string, unknown>): Promise<LogLine> {
  const matches = (line: LogLine) => Object.entries(fields).every(([key, value]) => line[key] === value);
  for (;;) {
    const found = logLines(server).find(matches);
    if (found !== undefined) return found;
    await new Promise((resolve) => server.child.stderr?.once("data", resolve));
  }
}

describe("chat-server serve logs", () => {
  it("writes JSON lines: start-up per adapter, an access line per request, stream open and close with why", async () => {
    const server = killedAtDispose(disposer, await startServe([], 4, { CHAT_LOG_LEVEL: "info" }));
    for (const adapter of ["rest", "html", "grpc", "ws"])
      expect(await logged(server, { msg: "listening", adapter })).toMatchObject({ level: 30 });
    expect(await logged(server, { msg: "serving" })).toMatchObject({ store: "memory", auth: "off" });

    expect((await fetch(`${server.httpUrl}/room/lobby/messages`)).status).toBe(404);
    const history = await logged(server, { msg: "request", route: "/room/:roomId/messages" });
    expect(history).toMatchObject({ adapter: "rest", method: "GET", status: "404" });
    expect(history.durationMs).toBeTypeOf("number");
    expect(history.bytes).toBeGreaterThan(0);
    await fetch(`${server.httpUrl}/healthz`);
    expect(await logged(server, { msg: "request", route: "/healthz" })).toMatchObject({ adapter: "http" });
    // A raw path never becomes a label or a log field: unknown paths are `unmatched`.
    await fetch(`${server.httpUrl}/no/such/secret-path`);
    expect(await logged(server, { msg: "request", route: "unmatched" })).toMatchObject({ status: "404" });
    expect(server.stderr()).not.toContain("secret-path");

    const sse = await openSse(`${server.httpUrl}/stream/lobby?userId=ann`);
    expect((await sse.next())?.event).toBe("ready");
    expect(await logged(server, { msg: "stream opened", adapter: "rest" })).toMatchObject({
      roomId: "lobby",
      userId: "ann",
    });
    sse.close();
    const sseClosed = await logged(server, { msg: "stream closed", adapter: "rest" });
    expect(sseClosed).toMatchObject({ roomId: "lobby", reason: "client_left", level: 30 });
    expect(sseClosed.durationMs).toBeTypeOf("number");

    const grpc = disposer.add(new ChatTestClient(server.grpcAddress as string), (c) => c.close());
    await grpc.submit("lobby", "bob", "hello");
    expect(await logged(server, { msg: "request", adapter: "grpc" })).toMatchObject({
      route: "Submit",
      method: "rpc",
      status: "OK",
    });

    // A stream refused before it opens has an access line, as a refused request has.
    await expect(grpc.stream("bad id").next()).rejects.toThrow();
    expect(await logged(server, { msg: "request", route: "Stream" })).toMatchObject({
      adapter: "grpc",
      method: "rpc",
      status: "INVALID_ARGUMENT",
    });
    const wsBase = server.httpUrl?.replace(/^http/, "ws");
    await expect(openWs(`${wsBase}/ws/bad%20id`)).rejects.toThrow();
    expect(await logged(server, { msg: "request", route: "/ws/:roomId" })).toMatchObject({
      adapter: "ws",
      method: "GET",
      status: "400",
    });

    const ws = await openWs(`${wsBase}/ws/lobby?userId=dan`);
    disposer.defer(() => ws.close());
    expect((await ws.next())?.type).toBe("ready");
    expect((await fetch(`${server.httpUrl}/room/lobby`, { method: "DELETE" })).status).toBe(204);
    expect(await logged(server, { msg: "stream closed", adapter: "ws" })).toMatchObject({
      reason: "deleted",
    });

    server.child.kill("SIGTERM");
    await server.exit;
    expect(await logged(server, { signal: "SIGTERM" })).toMatchObject({
      msg: expect.stringMatching(/^shutting down/),
    });
    // Every line parsed as JSON above; none of them is a stream's message.
    expect(logLines(server).some((line) => line.msg === "request" && line.route === "/stream/:roomId")).toBe(
      false,
    );
  });

  it("writes readable lines for a terminal with --log-format pretty", async () => {
    const server = killedAtDispose(
      disposer,
      await startServe(["--only", "rest", "--log-format", "pretty"], 1, { CHAT_LOG_LEVEL: "info" }),
    );
    await fetch(`${server.httpUrl}/healthz`);
    server.child.kill("SIGINT");
    const { stderr } = await server.exit;
    expect(stderr).toMatch(/INFO.*listening/);
    // One line an entry, its fields inline.
    expect(stderr).toMatch(/INFO.*request.*"route":"\/healthz"/);
    expect(stderr.split("\n").some((line) => line.startsWith("{"))).toBe(false);
  });

  it("refuses an unknown --log-format", async () => {
    const server = startServe(["--log-format", "xml"], 1);
    await expect(server).rejects.toThrow(/--log-format.*xml|xml.*json, pretty/s);
  });
});
