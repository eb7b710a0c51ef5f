import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LiveCli, startServe } from "../../helpers/cli.js";
import { ChatTestClient, isMessage } from "../../helpers/grpc-client.js";
import { openSse, type SseConnection } from "../../helpers/http-sse.js";
import { openWs, type WsConnection } from "../../helpers/ws-client.js";

let server: LiveCli & { httpUrl?: string; grpcAddress?: string };
let sse: SseConnection;
let ws: WsConnection;
let grpc: ChatTestClient;

beforeAll(async () => {
  server = await startServe([]);
});
afterAll(async () => {
  sse?.close();
  ws?.close();
  grpc?.close();
  server.child.kill("SIGTERM");
  await server.exit;
});

/** The value of one sample line of the Prometheus text format, or undefined. */
function sample(text: string, name: string, labels = ""): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${name}${labels} `) || l === `${name}${labels}`);
  return line === undefined ? undefined : Number(line.split(" ").at(-1));
}

describe("chat-server observability", () => {
  it("exposes Prometheus metrics for streams, rooms, messages, deliveries and request errors", async () => {
    sse = await openSse(`${server.httpUrl}/stream/metrics-room?userId=ann`);
    expect((await sse.next())?.event).toBe("ready");
    grpc = new ChatTestClient(server.grpcAddress as string);
    const stream = grpc.stream("metrics-room", { userId: "bob" });
    expect((await stream.next()).event).toBe("ready");
    ws = await openWs(`${server.httpUrl?.replace(/^http/, "ws")}/ws/metrics-room?userId=dan`);
    expect((await ws.next())?.type).toBe("ready");
    ws.send({ type: "submit", text: "" });
    expect(await ws.next()).toMatchObject({ type: "error", error: { code: "invalid_text" } });
    await grpc.submit("metrics-room", "carol", "counted");
    await stream.until(isMessage("counted"));
    await ws.until((f) => f.type === "message");
    await sse.until((e) => e.event === "message");
    const bad = await fetch(`${server.httpUrl}/room/metrics-room/messages?limit=0`);
    expect(bad.status).toBe(400);

    const response = await fetch(`${server.httpUrl}/metrics`);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    expect(sample(text, "chat_open_streams", '{adapter="sse"}')).toBe(1);
    expect(sample(text, "chat_open_streams", '{adapter="grpc"}')).toBe(1);
    expect(sample(text, "chat_open_streams", '{adapter="ws"}')).toBe(1);
    expect(sample(text, "chat_deliveries_total", '{adapter="ws"}')).toBeGreaterThanOrEqual(2);
    expect(sample(text, "chat_request_errors_total", '{adapter="ws",code="invalid_text"}')).toBe(1);
    expect(sample(text, "chat_rooms")).toBe(1);
    expect(sample(text, "chat_messages_accepted_total")).toBe(1);
    // ready, bob's joined, the message: at least those on the SSE stream.
    expect(sample(text, "chat_deliveries_total", '{adapter="sse"}')).toBeGreaterThanOrEqual(3);
    expect(sample(text, "chat_deliveries_total", '{adapter="grpc"}')).toBeGreaterThanOrEqual(2);
    expect(sample(text, "chat_request_errors_total", '{adapter="html",code="invalid_limit"}')).toBe(1);
    expect(sample(text, "nodejs_heap_size_used_bytes")).toBeGreaterThan(0);
  });

  it("answers /healthz with 200 while serving", async () => {
    const response = await fetch(`${server.httpUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });
});
