import { type ClientRequest, type IncomingHttpHeaders, type IncomingMessage, request } from "node:http";
import { reading } from "./reading.js";

/** One SSE frame as it came over the wire: only the fields it actually carried. */
export interface SseFrame {
  readonly id?: string;
  readonly event?: string;
  /** `data:` lines joined with `\n`. */
  readonly data?: string;
  readonly retry?: number;
  /** Comment lines (`: text`), without the colon and its space. */
  readonly comments: readonly string[];
}

/** A frame that dispatches an event: `event` defaults to `message`, `data` is parsed as JSON. */
export interface SseEvent {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
  readonly json: unknown;
}

export interface SseConnection {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly request: ClientRequest;
  readonly response: IncomingMessage;
  /** The body of a non-200 answer (an error JSON), read whole; `""` for a stream. */
  readonly body: string;
  /** The next frame of any kind (comments and `retry:` too); `undefined` once the stream ended. */
  nextFrame(): Promise<SseFrame | undefined>;
  /** The next frame that carries an event or data; `undefined` once the stream ended. */
  next(): Promise<SseEvent | undefined>;
  /** The next `count` events; fails if the stream ends first. */
  take(count: number): Promise<SseEvent[]>;
  /** Skips events until one satisfies `predicate`; fails if the stream ends first. */
  until(predicate: (event: SseEvent) => boolean): Promise<SseEvent>;
  /** Resolves when the response is over: `"end"` for a clean end, `"aborted"` when the socket was cut. */
  readonly ended: Promise<"end" | "aborted">;
  /** Drops the connection from the client side. */
  close(): void;
}

export interface SseOptions {
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Opens `url` as a Server-Sent Events stream with a bare `node:http` request
 * (its own socket, no agent pooling) and resolves once the response headers are
 * in. Frames are parsed as the spec says: `field: value` lines, `:` comments,
 * a blank line ends a frame.
 */
export function openSse(url: string, options: SseOptions = {}): Promise<SseConnection> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      agent: false,
      headers: { accept: "text/event-stream", ...options.headers },
    });
    req.once("error", reject);
    req.once("response", (res) => {
      req.off("error", reject);
      // Errors after the headers (the server cutting the socket) end the stream, they do not throw.
      req.on("error", () => undefined);
      res.on("error", () => undefined);
      res.setEncoding("utf8");
      if (res.statusCode !== 200) {
        let body = "";
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.once("end", () => resolve(connection(req, res, body)));
        return;
      }
      resolve(connection(req, res, ""));
    });
    req.end();
  });
}

function connection(req: ClientRequest, res: IncomingMessage, body: string): SseConnection {
  const frames: SseFrame[] = [];
  const waiters: ((frame: SseFrame | undefined) => void)[] = [];
  let done = false;
  let buffer = "";
  // The frame being read: fields as they came, `data:` lines in order.
  let fields: { id?: string; event?: string; retry?: number } = {};
  let data: string[] = [];
  let comments: string[] = [];

  const push = (frame: SseFrame | undefined): void => {
    const waiter = waiters.shift();
    if (waiter !== undefined) waiter(frame);
    else if (frame !== undefined) frames.push(frame);
  };

  const line = (text: string): void => {
    if (text === "") {
      if (Object.keys(fields).length > 0 || data.length > 0 || comments.length > 0) {
        push({ ...fields, ...(data.length > 0 ? { data: data.join("\n") } : {}), comments });
      }
      fields = {};
      data = [];
      comments = [];
      return;
    }
    if (text.startsWith(":")) {
      comments.push(text.slice(1).replace(/^ /, ""));
      return;
    }
    const colon = text.indexOf(":");
    const field = colon === -1 ? text : text.slice(0, colon);
    const value = colon === -1 ? "" : text.slice(colon + 1).replace(/^ /, "");
    if (field === "data") data.push(value);
    else if (field === "id") fields.id = value;
    else if (field === "event") fields.event = value;
    else if (field === "retry") fields.retry = Number(value);
  };

  const ended = new Promise<"end" | "aborted">((resolve) => {
    let cleanEnd = false;
    res.once("end", () => {
      cleanEnd = true;
    });
    res.once("close", () => {
      done = true;
      for (const waiter of waiters.splice(0)) waiter(undefined);
      resolve(cleanEnd && res.complete ? "end" : "aborted");
    });
  });

  res.on("data", (chunk: string) => {
    buffer += chunk;
    const lines = buffer.split(/\r\n|\r|\n/);
    buffer = lines.pop() ?? "";
    for (const text of lines) line(text);
  });
  if (res.statusCode !== 200) res.resume();

  const nextFrame = (): Promise<SseFrame | undefined> => {
    const queued = frames.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (done) return Promise.resolve(undefined);
    return new Promise((resolve) => waiters.push(resolve));
  };

  const next = async (): Promise<SseEvent | undefined> => {
    for (;;) {
      const frame = await nextFrame();
      if (frame === undefined) return undefined;
      if (frame.event === undefined && frame.data === undefined) continue;
      const data = frame.data ?? "";
      return { id: frame.id, event: frame.event ?? "message", data, json: parseJson(data) };
    }
  };

  return {
    status: res.statusCode ?? 0,
    headers: res.headers,
    request: req,
    response: res,
    body,
    nextFrame,
    next,
    ...reading(next, "The stream ended"),
    ended,
    close: () => {
      req.destroy();
      res.destroy();
    },
  };
}

function parseJson(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}
