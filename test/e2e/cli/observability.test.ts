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

/** The value of the sample of `name` whose labels are exactly `labels` (in any order), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .sort()
    .join(",");
  for (const line of text.split("\n")) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const have = (match[2] ?? "")
      .split(/,(?=[a-z_]+=")/)
      .filter((l) => l !== "")
      .sort()
      .join(",");
    if (have === wanted) return Number(match[3]);
  }
  return undefined;
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
    // A form posted from the page without JavaScript, by a browser: its error page is counted too.
    const form = await fetch(`${server.httpUrl}/room/metrics-room`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
      body: "user=ann&message=",
    });
    expect(form.status).toBe(400);
    expect(form.headers.get("content-type")).toContain("text/html");
    // A plain GET of the WebSocket endpoint is the ws adapter's answer; a wrong method is the port's.
    expect((await fetch(`${server.httpUrl}/ws/metrics-room`)).status).toBe(426);
    expect((await fetch(`${server.httpUrl}/room/metrics-room`, { method: "PUT" })).status).toBe(405);

    const response = await fetch(`${server.httpUrl}/metrics`);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    // One adapter vocabulary: the SSE stream is the JSON API's (rest), as its errors are.
    expect(sample(text, "chat_open_streams", { adapter: "rest" })).toBe(1);
    expect(sample(text, "chat_open_streams", { adapter: "grpc" })).toBe(1);
    expect(sample(text, "chat_open_streams", { adapter: "ws" })).toBe(1);
    expect(sample(text, "chat_deliveries_total", { adapter: "ws" })).toBeGreaterThanOrEqual(2);
    expect(sample(text, "chat_request_errors_total", { adapter: "ws", code: "invalid_text" })).toBe(1);
    expect(sample(text, "chat_rooms")).toBe(1);
    expect(sample(text, "chat_messages_accepted_total")).toBe(1);
    // ready, bob's joined, the message: at least those on the SSE stream.
    expect(sample(text, "chat_deliveries_total", { adapter: "rest" })).toBeGreaterThanOrEqual(3);
    expect(sample(text, "chat_deliveries_total", { adapter: "grpc" })).toBeGreaterThanOrEqual(2);
    expect(sample(text, "chat_request_errors_total", { adapter: "rest", code: "invalid_limit" })).toBe(1);
    expect(sample(text, "chat_request_errors_total", { adapter: "html", code: "invalid_text" })).toBe(1);
    expect(sample(text, "chat_request_errors_total", { adapter: "ws", code: "upgrade_required" })).toBe(1);
    const wrongMethod = { adapter: "http", route: "/room/:roomId", method: "PUT", status: "405" };
    expect(sample(text, "chat_request_duration_seconds_count", wrongMethod)).toBe(1);
    // Requests per route, with their latency: the histogram's count is the request count.
    const history = { adapter: "rest", route: "/room/:roomId/messages", method: "GET", status: "400" };
    expect(sample(text, "chat_request_duration_seconds_count", history)).toBe(1);
    expect(sample(text, "chat_request_duration_seconds_bucket", { ...history, le: "+Inf" })).toBe(1);
    const submit = { adapter: "grpc", route: "Submit", method: "rpc", status: "OK" };
    expect(sample(text, "chat_request_duration_seconds_count", submit)).toBe(1);
    const formPost = { adapter: "html", route: "/room/:roomId", method: "POST", status: "400" };
    expect(sample(text, "chat_request_duration_seconds_count", formPost)).toBe(1);
    // The message reached each stream once: one lag sample per adapter.
    for (const adapter of ["rest", "grpc", "ws"])
      expect(sample(text, "chat_delivery_lag_seconds_count", { adapter }), adapter).toBe(1);
    expect(sample(text, "nodejs_heap_size_used_bytes")).toBeGreaterThan(0);
  });

  it("answers /healthz with 200 while serving", async () => {
    const response = await fetch(`${server.httpUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });
});
