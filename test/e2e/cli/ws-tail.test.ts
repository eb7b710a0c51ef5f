import { afterEach, describe, expect, it } from "vitest";
import { freePort, killedAtDispose, runCli, startCli, startServe } from "../../helpers/cli.js";
import { Disposer } from "../../helpers/disposer.js";

const disposer = new Disposer();
afterEach(() => disposer.dispose());

describe("chat-server tail --ws", () => {
  it("reconnects after the server restarts (close 1012) and goes on with the new server's messages", async () => {
    const port = await freePort();
    const env = { CHAT_HTTP_PORT: String(port) };
    const url = `http://127.0.0.1:${port}`;
    const first = await startServe(["--only", "ws,rest"], 2, env);
    killedAtDispose(disposer, first);
    const tail = startCli(["tail", "lobby", "--json", "--ws", "--url", url]);
    killedAtDispose(disposer, tail);
    await tail.waitForStdout((s) => s.includes('"event":"ready"'));
    const sent = await runCli(["send", "lobby", "before restart", "--user", "ann", "--ws", "--url", url]);
    expect(sent.code).toBe(0);
    await tail.waitForStdout((s) => s.includes("before restart"));

    first.child.kill("SIGTERM");
    expect((await first.exit).code).toBe(0);
    const second = await startServe(["--only", "ws,rest"], 2, env);
    killedAtDispose(disposer, second);
    // The tail retries every second until the new server answers, then says ready again.
    await tail.waitForStdout((s) => s.split('"event":"ready"').length === 3);
    await runCli(["send", "lobby", "after restart", "--user", "ann", "--ws", "--url", url]);
    await tail.waitForStdout((s) => s.includes("after restart"));
    expect(tail.stderr()).toContain("connection lost, resuming");

    tail.child.kill("SIGINT");
    const result = await tail.exit;
    expect(result.code).toBe(0);
    const events = result.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { event: string; data: Record<string, unknown> });
    expect(events.map((e) => e.event)).toEqual(["ready", "message", "ready", "message"]);
    // An in-memory server restarts with a new epoch: the resume says messages may be missing.
    expect(events[2]?.data).toMatchObject({ recovered: false });
  });

  it("reports a refused upgrade in one line, exit 1", async () => {
    const server = await startServe(["--only", "ws"], 1);
    killedAtDispose(disposer, server);
    const result = await runCli(["tail", "bad room", "--ws", "--url", server.httpUrl as string]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^error: .*roomId.*"bad room"/);
  });
});
