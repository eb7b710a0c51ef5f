import WebSocket from "ws";
import type { Message, RoomEvent, RoomInfo } from "../rooms/index.js";
import { type ChatClient, ClientError, roomEventFromJson, type TailOptions } from "./chat-client.js";
import { errorFromBody, HttpChatClient, networkError } from "./http-client.js";

/** Close codes after which the server invites a reconnect with `since` (see the README's close codes). */
const RESUMABLE = new Set([1006, 1011, 1012, 4001, 4002]);

type Frame = { type: string } & Record<string, unknown>;

/** How one connection ended. */
type Ending =
  | { readonly kind: "deleted" }
  | { readonly kind: "aborted" }
  | { readonly kind: "closed"; readonly code: number; readonly reason: string }
  | { readonly kind: "failed"; readonly error: ClientError };

/**
 * The WebSocket client of the CLI (`--ws`): `send` and `tail` over
 * `/ws/:roomId`; `tail` reconnects with `since=<last id>` after a resumable
 * close. Listing rooms has no WebSocket form: it uses the REST API.
 */
export class WsChatClient implements ChatClient {
  readonly #base: string;
  readonly #http: HttpChatClient;

  readonly #headers: Record<string, string>;

  constructor(baseUrl: string, token?: string) {
    this.#base = baseUrl;
    this.#http = new HttpChatClient(baseUrl, token);
    this.#headers = token === undefined ? {} : { authorization: `Bearer ${token}` };
  }

  send(roomId: string, userId: string, text: string): Promise<Message> {
    return new Promise<Message>((resolve, reject) => {
      // No `?userId=`: the user is named in the submit, so a one-off post does not join and leave the room.
      const ws = this.#open(roomId, {}, (error) => reject(error));
      // The server answers frames that come before `ready` after it: no need to wait.
      ws.on("open", () => ws.send(JSON.stringify({ type: "submit", userId, text, ref: 1 })));
      ws.on("message", (data) => {
        const frame = JSON.parse(data.toString()) as Frame;
        if (frame.type === "submitted") resolve(frame.message as Message);
        else if (frame.type === "error") {
          const error = frame.error as { code: string; message: string };
          reject(new ClientError(error.code, error.message));
        } else return;
        ws.close();
      });
      ws.on("close", (code, reason) => reject(closedError(code, reason.toString())));
    });
  }

  listRooms(): Promise<RoomInfo[]> {
    return this.#http.listRooms();
  }

  /**
   * History has no WebSocket form either: the REST API. A server without the
   * REST adapter (`--only ws`) has no such route, so there is none to print.
   */
  async history(roomId: string, limit: number): Promise<Message[]> {
    try {
      return await this.#http.history(roomId, limit);
    } catch (error) {
      if (error instanceof ClientError && error.code === "not_found") return [];
      throw error;
    }
  }

  async tail(roomId: string, options: TailOptions, onEvent: (event: RoomEvent) => void): Promise<void> {
    let since = options.since;
    let opened = false;
    for (;;) {
      const ending = await new Promise<Ending>((resolve) => {
        const ws = this.#open(roomId, { userId: options.userId, since }, (error) =>
          resolve({ kind: "failed", error }),
        );
        const abort = (): void => ws.close(1000);
        options.signal.addEventListener("abort", abort, { once: true });
        let deleted = false;
        ws.on("message", (data) => {
          opened = true;
          const event = fromWsFrame(JSON.parse(data.toString()) as Frame);
          if (event.type === "message") since = event.message.id;
          else if (event.type === "ready" && since === undefined) since = event.lastId ?? undefined;
          else if (event.type === "deleted") deleted = true;
          onEvent(event);
        });
        ws.on("close", (code, reason) => {
          options.signal.removeEventListener("abort", abort);
          if (deleted) resolve({ kind: "deleted" });
          else if (options.signal.aborted) resolve({ kind: "aborted" });
          else resolve({ kind: "closed", code, reason: reason.toString() });
        });
      });
      if (ending.kind === "deleted" || ending.kind === "aborted") return;
      // Once it streamed, a server that is away (restarting) is waited for, as EventSource does.
      if (!opened) throw ending.kind === "failed" ? ending.error : closedError(ending.code, ending.reason);
      if (ending.kind === "closed" && !RESUMABLE.has(ending.code))
        throw closedError(ending.code, ending.reason);
      options.onReconnect?.();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      if (options.signal.aborted) return;
    }
  }

  close(): void {}

  /** Connects; `fail` hears a refused upgrade (the server's JSON error) or an unreachable server. */
  #open(
    roomId: string,
    query: { userId?: string | undefined; since?: string | undefined },
    fail: (error: ClientError) => void,
  ) {
    const url = new URL(`/ws/${encodeURIComponent(roomId)}`, this.#base);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    if (query.userId !== undefined) url.searchParams.set("userId", query.userId);
    if (query.since !== undefined) url.searchParams.set("since", query.since);
    const ws = new WebSocket(url, { headers: this.#headers });
    let refused = false;
    ws.on("unexpected-response", (req, res) => {
      refused = true;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => {
        req.destroy();
        fail(errorFromBody(res.statusCode ?? 0, body));
      });
    });
    ws.on("error", (error) => {
      if (!refused && ws.readyState !== WebSocket.OPEN) fail(networkError(this.#base, error));
    });
    return ws;
  }
}

function closedError(code: number, reason: string): ClientError {
  return new ClientError(
    `closed_${code}`,
    `the server closed the WebSocket (${code}${reason ? `: ${reason}` : ""})`,
  );
}

/** A WebSocket frame (`{"type", ...fields}`) as the room event it stands for. */
export function fromWsFrame(frame: Frame): RoomEvent {
  const { type, ...data } = frame;
  return roomEventFromJson(type, data);
}
