import { userInfo } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LiveCli, runCli, startCli, startServe } from "../../helpers/cli.js";

let server: LiveCli & { httpUrl?: string; grpcAddress?: string };
let url: string;
let grpc: string;

beforeAll(async () => {
  server = await startServe([]);
  url = server.httpUrl as string;
  grpc = server.grpcAddress as string;
});
afterAll(async () => {
  server.child.kill("SIGTERM");
  await server.exit;
});

const jsonLines = (text: string) =>
  text
    .trim()
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as { event: string; data: Record<string, unknown> });

describe.each([
  { transport: "HTTP", flags: () => ["--url", url] },
  { transport: "gRPC", flags: () => ["--grpc", grpc] },
  { transport: "WebSocket", flags: () => ["--url", url, "--ws"] },
])("client commands over $transport", ({ transport, flags }) => {
  const room = `cli-${transport.toLowerCase()}`;

  it("send prints the stored message id, and rooms lists the room", async () => {
    const sent = await runCli(["send", room, "first words", "--user", "ann", ...flags()]);
    expect(sent.code).toBe(0);
    expect(sent.stdout.trim()).toMatch(/^[0-9a-z]+-1$/);
    const rooms = await runCli(["rooms", "--json", ...flags()]);
    expect(rooms.code).toBe(0);
    expect(JSON.parse(rooms.stdout).map((r: { roomId: string }) => r.roomId)).toContain(room);
    const table = await runCli(["rooms", ...flags()]);
    expect(table.stdout).toMatch(new RegExp(`^${room}\\s+1\\s`, "m"));
  });

  it("tail --json prints ready, replays after --since, then live messages and presence, and exits 0 on delete", async () => {
    const first = (await runCli(["send", room, "one", "--user", "ann", ...flags()])).stdout.trim();
    await runCli(["send", room, "two", "--user", "ann", ...flags()]);
    const tail = startCli(["tail", room, "--json", "--since", first, "--user", "zed", ...flags()]);
    await tail.waitForStdout((s) => s.includes('"text":"two"'));
    const watcher = startCli(["tail", room, "--user", "bob", ...flags()]);
    await tail.waitForStdout((s) => s.includes('"userId":"bob"'));
    await runCli(["send", room, "three", "--user", "ann", ...flags()]);
    await tail.waitForStdout((s) => s.includes('"text":"three"'));
    watcher.child.kill("SIGINT");
    expect((await watcher.exit).code).toBe(0);
    await tail.waitForStdout((s) => s.includes('"event":"left"'));
    expect((await fetch(`${url}/room/${room}`, { method: "DELETE" })).status).toBe(204);
    const result = await tail.exit;
    expect(result.code).toBe(0);
    const events = jsonLines(result.stdout);
    expect(events.map((e) => e.event)).toEqual(["ready", "message", "joined", "message", "left", "deleted"]);
    expect(events[0]?.data).toMatchObject({ roomId: room, recovered: true });
    expect(events.filter((e) => e.event === "message").map((e) => e.data.text)).toEqual(["two", "three"]);
    expect(events[2]?.data).toMatchObject({ userId: "bob" });
  });

  it("tail prints human lines for messages and presence", async () => {
    const humanRoom = `${room}-human`;
    // No --user: the login name, as for send.
    const tail = startCli(["tail", humanRoom, ...flags()]);
    await tail.waitForStdout((s) => s.includes(`-- #${humanRoom}: here now: ${userInfo().username}`));
    const watcher = startCli(["tail", humanRoom, "--user", "bob", ...flags()]);
    await tail.waitForStdout((s) => s.includes("-- bob joined"));
    await runCli(["send", humanRoom, "hello <there>", "--user", "ann", ...flags()]);
    await tail.waitForStdout((s) => /\[\d\d:\d\d:\d\d\] ann: hello <there>/.test(s));
    watcher.child.kill("SIGTERM");
    await tail.waitForStdout((s) => s.includes("-- bob left"));
    tail.child.kill("SIGINT");
    expect((await tail.exit).code).toBe(0);
  });

  it("tail prints the latest messages first (-n), then live ones, none twice", async () => {
    const recentRoom = `${room}-recent`;
    for (const text of ["m1", "m2", "m3", "m4"]) {
      await runCli(["send", recentRoom, text, "--user", "ann", ...flags()]);
    }
    const tail = startCli(["tail", recentRoom, "-n", "2", "--json", "--user", "zed", ...flags()]);
    await tail.waitForStdout((s) => s.includes('"event":"ready"'));
    await runCli(["send", recentRoom, "m5", "--user", "ann", ...flags()]);
    await tail.waitForStdout((s) => s.includes('"text":"m5"'));
    tail.child.kill("SIGINT");
    const events = jsonLines((await tail.exit).stdout);
    const texts = events.filter((e) => e.event === "message").map((e) => e.data.text);
    expect(texts).toEqual(["m3", "m4", "m5"]);
    // The history comes before the stream's ready, which resumed after it.
    expect(events.map((e) => e.event).slice(0, 3)).toEqual(["message", "message", "ready"]);
    expect(events[2]?.data).toMatchObject({ recovered: true });

    // Default 10, and a room that does not exist yet has nothing to print.
    const fresh = startCli(["tail", `${recentRoom}-new`, "--json", "--user", "zed", ...flags()]);
    await fresh.waitForStdout((s) => s.includes('"event":"ready"'));
    fresh.child.kill("SIGINT");
    expect(jsonLines((await fresh.exit).stdout).map((e) => e.event)).toEqual(["ready"]);
  });

  it("reports the server's error for bad input, in one line, exit 1", async () => {
    const result = await runCli(["send", "bad room", "hi", ...flags()]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^error: .*roomId.*"bad room"/);
  });
});
