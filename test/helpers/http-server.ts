import type { Socket } from "node:net";
import { attachWsAdapter, type WsAdapter, type WsAdapterOptions } from "../../src/adapters/ws/index.js";
import {
  createHttpApp,
  type HttpAppOptions,
  type HttpServerLimits,
  type RunningHttpServer,
  startHttpServer,
} from "../../src/index.js";
import { RoomManager, type RoomManagerOptions } from "../../src/rooms/index.js";
import { Disposer } from "./disposer.js";
import { openSse, type SseConnection, type SseOptions } from "./http-sse.js";
import { openWs, type WsClientOptions, type WsConnection } from "./ws-client.js";

export { Disposer };

export interface TestServer extends RunningHttpServer {
  readonly rooms: RoomManager;
  /** Server-side sockets that are still open, in the order they connected. */
  readonly sockets: () => Socket[];
  /** `fetch` relative to the server's url. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Opens an SSE stream at `path` with the raw client; closed at disposal. */
  stream(path: string, options?: SseOptions): Promise<SseConnection>;
  /** The WebSocket adapter, when `ws` options were given. */
  readonly ws: WsAdapter | undefined;
  /** `ws://host:port` */
  readonly wsUrl: string;
  /** Opens a WebSocket at `path` with a real `ws` client; closed at disposal. */
  socket(path: string, options?: WsClientOptions): Promise<WsConnection>;
  /** `POST` JSON to `path`. */
  postJson(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
}

export interface TestServerOptions {
  readonly app?: HttpAppOptions;
  readonly rooms?: RoomManagerOptions | RoomManager;
  /** Attach the WebSocket adapter with these options. */
  readonly ws?: WsAdapterOptions;
  /** Listen on this port instead of a free one (a restart on the same port). */
  readonly port?: number;
  readonly limits?: HttpServerLimits;
}

/**
 * A real HTTP server on 127.0.0.1 (port 0 by default) over a fresh RoomManager
 * (or the one given), closed by `disposer`: the manager first (ending its
 * streams), then the server, cutting whatever connection is left.
 */
export async function startTestServer(
  disposer: Disposer,
  options: TestServerOptions = {},
): Promise<TestServer> {
  const rooms = options.rooms instanceof RoomManager ? options.rooms : new RoomManager(options.rooms);
  if (!(options.rooms instanceof RoomManager)) disposer.add(rooms, (r) => r.close());
  const app = createHttpApp(rooms, { ws: options.ws !== undefined, ...options.app });
  const running = await startHttpServer(app, "127.0.0.1", options.port ?? 0, options.limits);
  const open = new Set<Socket>();
  running.server.on("connection", (socket: Socket) => {
    open.add(socket);
    socket.once("close", () => open.delete(socket));
  });
  disposer.add(running, (r) => r.close(0));
  const ws =
    options.ws === undefined
      ? undefined
      : disposer.add(attachWsAdapter(running.server, rooms, options.ws), (w) => w.close(0));
  const wsUrl = running.url.replace(/^http/, "ws");
  const fetchPath = (path: string, init?: RequestInit) => fetch(`${running.url}${path}`, init);
  return {
    server: running.server,
    port: running.port,
    url: running.url,
    close: (graceMs) => running.close(graceMs),
    rooms,
    sockets: () => [...open],
    fetch: fetchPath,
    ws,
    wsUrl,
    socket: async (path, wsOptions) =>
      disposer.add(await openWs(`${wsUrl}${path}`, wsOptions), (c) => c.close()),
    stream: async (path, sseOptions) =>
      disposer.add(await openSse(`${running.url}${path}`, sseOptions), (c) => c.close()),
    postJson: (path, body, headers = {}) =>
      fetchPath(path, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
  };
}

/** The `{"error":{"code","message"}}` body every failed API call answers. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

/** Reads an error answer and checks its shape: a JSON object with a string code and a non-empty message. */
export async function errorOf(
  response: Response,
): Promise<{ status: number; code: string; message: string }> {
  const type = response.headers.get("content-type") ?? "";
  if (!type.startsWith("application/json")) {
    throw new Error(`Expected a JSON error, got ${response.status} ${type}: ${await response.text()}`);
  }
  const body = (await response.json()) as ErrorBody;
  if (
    typeof body?.error?.code !== "string" ||
    typeof body.error.message !== "string" ||
    body.error.message === "" ||
    Object.keys(body).length !== 1
  ) {
    throw new Error(`Not the error shape: ${JSON.stringify(body)}`);
  }
  return { status: response.status, code: body.error.code, message: body.error.message };
}
