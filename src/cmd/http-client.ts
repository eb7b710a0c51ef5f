import { EventSource } from "eventsource";
import type { Message, RoomEvent, RoomInfo } from "../rooms/index.js";
import { type ChatClient, ClientError, roomEventFromJson, type TailOptions } from "./chat-client.js";
import { errorDetail, unreachable } from "./unreachable.js";

const EVENT_TYPES = ["ready", "message", "joined", "left", "deleted"] as const;

/** The REST + SSE client of the CLI. The SSE side reconnects and resumes by itself (Last-Event-ID). */
export class HttpChatClient implements ChatClient {
  readonly #base: string;
  /** `Authorization` for a server with auth required. */
  readonly #auth: Record<string, string>;

  constructor(baseUrl: string, token?: string) {
    this.#base = baseUrl;
    this.#auth = token === undefined ? {} : { authorization: `Bearer ${token}` };
  }

  async send(roomId: string, userId: string, text: string): Promise<Message> {
    return this.#request<Message>(`/room/${encodeURIComponent(roomId)}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", ...this.#auth },
      body: JSON.stringify({ userId, text }),
    });
  }

  async listRooms(): Promise<RoomInfo[]> {
    return (
      await this.#request<{ rooms: RoomInfo[] }>("/rooms", {
        headers: { accept: "application/json", ...this.#auth },
      })
    ).rooms;
  }

  async history(roomId: string, limit: number): Promise<Message[]> {
    const path = `/room/${encodeURIComponent(roomId)}/messages?limit=${limit}`;
    try {
      return (
        await this.#request<{ messages: Message[] }>(path, {
          headers: { accept: "application/json", ...this.#auth },
        })
      ).messages;
    } catch (error) {
      if (error instanceof ClientError && error.code === "room_not_found") return [];
      throw error;
    }
  }

  tail(roomId: string, options: TailOptions, onEvent: (event: RoomEvent) => void): Promise<void> {
    const url = new URL(`/stream/${encodeURIComponent(roomId)}`, this.#base);
    if (options.userId !== undefined) url.searchParams.set("userId", options.userId);
    if (options.since !== undefined) url.searchParams.set("since", options.since);
    return new Promise<void>((resolve, reject) => {
      let opened = false;
      const source = new EventSource(url, {
        // Reads the error body of a refused stream (400, 404...) instead of retrying blindly.
        fetch: async (input, init) => {
          const headers = { ...(init?.headers as Record<string, string> | undefined), ...this.#auth };
          const response = await fetch(input, { ...init, headers }).catch((error: unknown) => {
            if (!opened) fail(networkError(this.#base, error));
            throw error;
          });
          if (!response.ok && !opened) fail(await errorFrom(response));
          return response;
        },
      });
      const finish = (): void => {
        source.close();
        options.signal.removeEventListener("abort", finish);
        resolve();
      };
      const fail = (error: Error): void => {
        source.close();
        options.signal.removeEventListener("abort", finish);
        reject(error);
      };
      options.signal.addEventListener("abort", finish, { once: true });
      source.addEventListener("error", () => {
        if (opened) options.onReconnect?.();
      });
      for (const type of EVENT_TYPES) {
        source.addEventListener(type, (event) => {
          opened = true;
          const data = JSON.parse(event.data);
          onEvent(roomEventFromJson(type, data));
          if (type === "deleted") finish();
        });
      }
    });
  }

  close(): void {}

  async #request<T>(path: string, init: RequestInit): Promise<T> {
    const response = await fetch(new URL(path, this.#base), init).catch((error: unknown) => {
      throw networkError(this.#base, error);
    });
    if (!response.ok) throw await errorFrom(response);
    return (await response.json()) as T;
  }
}

/** A request that never got an answer: the server is down or the address is wrong. */
export function networkError(base: string, error: unknown): ClientError {
  return unreachable(base, errorDetail(error));
}

async function errorFrom(response: Response): Promise<ClientError> {
  return errorFromBody(response.status, await response.text().catch(() => ""));
}

/** The server's `{"error":{"code","message"}}` answer as a ClientError (or its HTTP status, if the body is not one). */
export function errorFromBody(status: number, text: string): ClientError {
  let body: { error?: { code?: string; message?: string } } | undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return new ClientError(
    body?.error?.code ?? `http_${status}`,
    body?.error?.message ?? `the server answered HTTP ${status}`,
  );
}
