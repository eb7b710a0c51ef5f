import { once } from "node:events";
import WebSocket from "ws";
import { reading } from "./reading.js";

/** A server frame as parsed JSON: `type` plus the event's fields. */
export type WsFrame = { readonly type: string } & Record<string, unknown>;

export interface WsClose {
  readonly code: number;
  readonly reason: string;
}

export interface WsConnection {
  readonly ws: WebSocket;
  /** The next server frame; `undefined` once the socket closed and every frame was read. */
  next(): Promise<WsFrame | undefined>;
  /** The next `count` frames; fails if the socket closes first. */
  take(count: number): Promise<WsFrame[]>;
  /** Skips frames until one satisfies `predicate`; fails if the socket closes first. */
  until(predicate: (frame: WsFrame) => boolean): Promise<WsFrame>;
  /** Sends a text frame (a JSON value is serialised). */
  send(data: string | object): void;
  /** Resolves when the socket closed, with the code and reason it got. */
  readonly closed: Promise<WsClose>;
  close(): void;
}

/** A refused upgrade: the HTTP status and body the server answered instead. */
export interface WsRefusal {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export interface WsClientOptions {
  /** Answer pings (the default); false plays a dead peer. */
  readonly autoPong?: boolean;
  /** Extra headers of the upgrade request (`authorization`, `cookie`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Opens a real `ws` client at `url` and resolves once it is open; frames are queued as they come. */
export async function openWs(url: string, options: WsClientOptions = {}): Promise<WsConnection> {
  const ws = new WebSocket(url, { autoPong: options.autoPong ?? true, headers: { ...options.headers } });
  const frames: WsFrame[] = [];
  const waiters: ((frame: WsFrame | undefined) => void)[] = [];
  let done = false;
  ws.on("message", (data, isBinary) => {
    const frame = JSON.parse(isBinary ? "null" : data.toString()) as WsFrame;
    const waiter = waiters.shift();
    if (waiter !== undefined) waiter(frame);
    else frames.push(frame);
  });
  ws.on("error", () => undefined);
  const closed = new Promise<WsClose>((resolve) => {
    ws.once("close", (code, reason) => {
      done = true;
      for (const waiter of waiters.splice(0)) waiter(undefined);
      resolve({ code, reason: reason.toString() });
    });
  });
  await Promise.race([
    once(ws, "open"),
    closed.then((close) => {
      throw new Error(`The socket closed before opening (${close.code})`);
    }),
  ]);
  const next = (): Promise<WsFrame | undefined> => {
    const queued = frames.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (done) return Promise.resolve(undefined);
    return new Promise((resolve) => waiters.push(resolve));
  };
  return {
    ws,
    next,
    ...reading(next, "The socket closed"),
    send: (data) => ws.send(typeof data === "string" ? data : JSON.stringify(data)),
    closed,
    close: () => ws.close(),
  };
}

/** Tries to upgrade at `url` and expects the server to refuse: resolves with its HTTP answer. */
export function refusedWs(url: string): Promise<WsRefusal> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on("open", () => {
      ws.terminate();
      reject(new Error(`Expected ${url} to be refused, but it upgraded`));
    });
    ws.on("error", () => undefined);
    ws.on("unexpected-response", (_req, res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, contentType: res.headers["content-type"] ?? "", body }),
      );
    });
  });
}
