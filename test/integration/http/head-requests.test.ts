import { afterEach, describe, expect, it } from "vitest";
import { ChatMetrics } from "../../../src/observability/index.js";
import { rawRequest } from "../../helpers/http-raw.js";
import { Disposer, startTestServer } from "../../helpers/http-server.js";

const disposer = new Disposer();
afterEach(() => disposer.dispose());

/** Sends HEAD by hand and reads every byte the server writes until it closes the connection. */
async function head(port: number, path: string, accept = "*/*") {
  const client = disposer.add(await rawRequest(port, "HEAD", path, { accept, connection: "close" }), (c) =>
    c.socket.destroy(),
  );
  // The first line: a status line, or (the bug) the first line of a raw SSE frame.
  await client.readUntil("\n");
  const received = client.received();
  expect(received, "a status line first").toMatch(/^HTTP\/1\.1 \d{3} /);
  const all = await client.readToEnd();
  const end = all.indexOf("\r\n\r\n");
  return {
    status: Number(all.slice(9, 12)),
    headers: all.slice(0, end),
    body: all.slice(end + 4),
  };
}

// biome-ignore format: one route per line reads as a table
const routes: [string, string, number][] = [
  ["/", "text/html", 200],
  ["/open?room=lobby", "text/html", 303],
  ["/room/lobby", "text/html", 200],
  ["/room/lobby", "application/json", 200],
  ["/room/lobby/messages", "application/json", 200],
  ["/rooms", "application/json", 200],
  ["/healthz", "application/json", 200],
  ["/metrics", "*/*", 200],
  ["/assets/room.js", "*/*", 200],
  ["/stream/lobby", "text/event-stream", 405],
  ["/stream/lobby?userId=ann", "text/event-stream", 405],
  ["/nope", "application/json", 404],
];

describe("HEAD requests", () => {
  it.each(routes)(
    "HEAD %s (Accept: %s) answers a status line and headers only: %d",
    async (path, accept, status) => {
      const server = await startTestServer(disposer, { app: { metrics: new ChatMetrics() } });
      await server.rooms.submit({ roomId: "lobby", userId: "bob", text: "hi" });
      const response = await head(server.port, path, accept);
      expect(response.status).toBe(status);
      expect(response.body).toBe("");
      if (status === 405) expect(response.headers).toMatch(/\r\nallow: GET\r\n/i);
    },
  );

  it("HEAD /stream/:roomId opens no listener and joins no one", async () => {
    const server = await startTestServer(disposer);
    await head(server.port, "/stream/fresh?userId=ann", "text/event-stream");
    expect(await server.rooms.listRooms()).toEqual([]);
  });
});
