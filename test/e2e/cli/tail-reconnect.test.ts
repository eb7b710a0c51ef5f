import { setTimeout as delay } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { freePort, killedAtDispose, runCli, startCli, startServe } from "../../helpers/cli.js";
import { Disposer } from "../../helpers/disposer.js";

const disposer = new Disposer();
afterEach(() => disposer.dispose());

describe.each([
  { transport: "HTTP", flags: (http: string, _grpc: string) => ["--url", http] },
  { transport: "gRPC", flags: (_http: string, grpc: string) => ["--grpc", grpc] },
  { transport: "WebSocket", flags: (http: string, _grpc: string) => ["--url", http, "--ws"] },
])("chat-server tail over $transport, while the server is away", ({ flags }) => {
  it("says so once, says when it is back, and keeps a multi-line message's lines indented", async () => {
    const env = { CHAT_HTTP_PORT: String(await freePort()), CHAT_GRPC_PORT: String(await freePort()) };
    const http = `http://127.0.0.1:${env.CHAT_HTTP_PORT}`;
    const grpc = `127.0.0.1:${env.CHAT_GRPC_PORT}`;
    const first = killedAtDispose(disposer, await startServe([], 4, env));
    const tail = killedAtDispose(
      disposer,
      startCli(["tail", "lobby", "--user", "bob", ...flags(http, grpc)]),
    );
    await tail.waitForStdout((s) => s.includes("here now: bob"));

    first.child.kill("SIGKILL");
    await first.exit;
    // Long enough for several attempts, one a second: each used to print a line of its own.
    await delay(3_500);
    killedAtDispose(disposer, await startServe([], 4, env));
    await tail.waitForStdout((s) => s.split("here now: bob").length === 3);
    const sent = await runCli([
      "send",
      "lobby",
      "first line\nsecond line",
      "--user",
      "ann",
      ...flags(http, grpc),
    ]);
    expect(sent.code).toBe(0);
    const out = await tail.waitForStdout((s) => s.includes("second line"));

    const notices = tail.stderr().trim().split("\n");
    expect(notices).toHaveLength(2);
    expect(notices[0]).toBe("-- connection lost, resuming…");
    expect(notices[1]).toMatch(/^-- connection back after [2-9]\d* attempts$/);
    const [line1, line2] = out.trim().split("\n").slice(-2) as [string, string];
    expect(line1).toMatch(/^\[\d\d:\d\d:\d\d\] ann: first line$/);
    expect(line2).toBe(`${" ".repeat(line1.indexOf("first line"))}second line`);
  });
});
