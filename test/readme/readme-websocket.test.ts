import { readFileSync } from "node:fs";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { attachWsAdapter, type WsAdapter } from "../../src/adapters/ws/index.js";
import { createHttpApp, type RunningHttpServer, startHttpServer } from "../../src/index.js";
import { RoomManager } from "../../src/rooms/index.js";
import { openWs } from "../helpers/ws-client.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const section = readme.slice(readme.indexOf("## WebSocket API"), readme.indexOf("## gRPC API"));
/** The fenced blocks of the WebSocket section, in order, with their language. */
const blocks = [...section.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({
  lang: m[1] as string,
  body: m[2] as string,
}));

describe("README WebSocket examples", () => {
  const rooms = new RoomManager();
  let http: RunningHttpServer;
  let ws: WsAdapter;
  let host: string;

  beforeAll(async () => {
    http = await startHttpServer(createHttpApp(rooms), "127.0.0.1", 0);
    ws = attachWsAdapter(http.server, rooms);
    host = `127.0.0.1:${http.port}`;
  });
  afterAll(async () => {
    await ws.close(0);
    await rooms.close();
    await http.close(0);
  });

  it("shows frames with exactly the fields the server sends", async () => {
    const shown = (blocks[0]?.body ?? "")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string });
    expect(shown.map((f) => f.type)).toEqual(["ready", "message", "joined", "left", "deleted"]);
    const watcher = await openWs(`ws://${host}/ws/readme-frames?userId=ann`);
    const carol = await openWs(`ws://${host}/ws/readme-frames?userId=carol`);
    await carol.next();
    await rooms.submit({ roomId: "readme-frames", userId: "bob", text: "hello" });
    carol.close();
    const seen = [await watcher.next(), await watcher.next(), await watcher.next(), await watcher.next()];
    await rooms.deleteRoom("readme-frames");
    seen.push(await watcher.next());
    const fields = (frames: readonly ({ type: string } | undefined)[]) =>
      Object.fromEntries(frames.map((f) => [f?.type, Object.keys(f ?? {}).sort()]));
    expect(fields(seen)).toEqual(fields(shown));
  });

  it("has websocat lines that post typed lines and resume, as they say", async () => {
    const lines = (blocks.find((b) => b.lang === "sh")?.body ?? "")
      .split("\n")
      .filter((l) => l.startsWith("websocat"));
    expect(lines).toHaveLength(2);
    const url = (line: string, lastId: string) =>
      (/'([^']+)'/.exec(line)?.[1] ?? "").replace("127.0.0.1:8080", host).replace("<id>", lastId);
    const first = await rooms.submit({ roomId: "lobby", userId: "zed", text: "before" });
    // websocat sends each typed line as a text frame, with its line break.
    const typing = await openWs(url(lines[0] as string, ""));
    expect(await typing.next()).toMatchObject({ type: "ready" });
    typing.send("hello from websocat\n");
    expect(await typing.until((f) => f.type === "submitted")).toMatchObject({
      message: { userId: "ann", text: "hello from websocat" },
    });
    typing.close();
    const resuming = await openWs(url(lines[1] as string, first.id));
    expect(await resuming.next()).toMatchObject({ type: "ready", recovered: true });
    expect(await resuming.next()).toMatchObject({ type: "message", text: "hello from websocat" });
    resuming.close();
  });

  it("runs the browser example (with ws as the WebSocket class) and prints what the README shows", async () => {
    const script = blocks.find((b) => b.lang === "js")?.body ?? "";
    const expected = blocks[blocks.findIndex((b) => b.lang === "js") + 1];
    expect(expected?.lang).toBe("text");
    const printed: string[] = [];
    const done = new Promise<void>((resolve) => {
      runInNewContext(script.replaceAll("127.0.0.1:8080", host), {
        WebSocket,
        JSON,
        encodeURIComponent,
        setTimeout,
        console: {
          log: (line: string) => {
            printed.push(line);
            resolve();
          },
        },
      });
    });
    await done;
    expect(`${printed.join("\n")}\n`).toBe(expected?.body);
  });
});
