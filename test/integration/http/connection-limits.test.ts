import { once } from "node:events";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { rawRequest } from "../../helpers/http-raw.js";
import { Disposer, startTestServer } from "../../helpers/http-server.js";

const disposer = new Disposer();
afterEach(() => disposer.dispose());

/** A connection that has sent nothing yet. */
async function idleSocket(port: number) {
  const socket = connect(port, "127.0.0.1");
  socket.on("error", () => undefined);
  await once(socket, "connect");
  return disposer.add(socket, (s) => s.destroy());
}

/** Everything the server writes on a new connection until it closes it. */
async function answerToNewConnection(port: number): Promise<string> {
  const socket = connect(port, "127.0.0.1");
  socket.on("error", () => undefined);
  let text = "";
  socket.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  await once(socket, "close");
  return text;
}

describe("HTTP request and connection bounds", () => {
  it("answers 408 to a request whose body trickles in past requestTimeoutMs, while a stream opened before lives on", async () => {
    const server = await startTestServer(disposer, { limits: { requestTimeoutMs: 300 } });
    const stream = await server.stream("/stream/lobby");
    expect((await stream.next())?.event).toBe("ready");

    const trickle = await rawRequest(server.port, "POST", "/room/lobby", {
      "content-type": "application/json",
      "content-length": "100",
    });
    trickle.socket.write("{");
    const answer = await trickle.readToEnd();
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);

    // The stream is older than the timeout and still delivers.
    const posted = await server.postJson("/room/lobby", { userId: "ann", text: "still here" });
    expect(posted.status).toBe(201);
    expect(await stream.next()).toMatchObject({ event: "message" });
    expect((await server.fetch("/room/lobby/messages")).status).toBe(200);
  });

  it("refuses a connection past maxConnectionsPerAddress with 503 too_many_connections, and takes one again once another closes", async () => {
    const server = await startTestServer(disposer, { limits: { maxConnectionsPerAddress: 3 } });
    const first = await idleSocket(server.port);
    await idleSocket(server.port);
    await idleSocket(server.port);
    const refused = await answerToNewConnection(server.port);
    expect(refused).toMatch(/^HTTP\/1\.1 503 /);
    expect(JSON.parse(refused.slice(refused.indexOf("\r\n\r\n") + 4))).toEqual({
      error: { code: "too_many_connections", message: expect.stringContaining("3 from one address") },
    });

    const closed = once(first, "close");
    first.destroy();
    await closed;
    // Bounded re-checks: the server sees the close a moment after the client does.
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) status = (await server.fetch("/healthz")).status;
    expect(status).toBe(200);
  });

  it("refuses a connection past maxConnections in all with the same answer", async () => {
    const server = await startTestServer(disposer, { limits: { maxConnections: 2 } });
    await idleSocket(server.port);
    await idleSocket(server.port);
    const refused = await answerToNewConnection(server.port);
    expect(refused).toMatch(/^HTTP\/1\.1 503 /);
    expect(refused).toContain('"code":"too_many_connections"');
    expect(refused).toContain("2 in all");
  });
});
