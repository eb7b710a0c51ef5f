import { credentials, type ServiceError, status } from "@grpc/grpc-js";
import {
  bearerToken,
  type ChatServiceClient,
  createChatServiceClient,
  fromWireEvent,
  fromWireMessage,
  fromWireRoom,
  type ListMessagesResponse,
  type ListRoomsResponse,
  type UnaryCallback,
  type WireEvent,
  type WireMessage,
} from "../adapters/grpc/index.js";
import type { Message, RoomEvent, RoomInfo } from "../rooms/index.js";
import { type ChatClient, ClientError, type TailOptions } from "./chat-client.js";
import { unreachable } from "./unreachable.js";

/** The gRPC client of the CLI, built from proto/chat.proto. */
export class GrpcChatClient implements ChatClient {
  readonly #address: string;
  readonly #client: ChatServiceClient;

  /**
   * `token` goes with every call, for a server with auth required; `ca`
   * (PEM) makes the channel TLS, trusting that certificate.
   */
  constructor(address: string, options: { token?: string | undefined; ca?: string | undefined } = {}) {
    this.#address = address;
    const { token, ca } = options;
    this.#client = createChatServiceClient(
      address,
      ca === undefined ? credentials.createInsecure() : credentials.createSsl(Buffer.from(ca)),
      token === undefined ? {} : { interceptors: [bearerToken(token)] },
    );
  }

  send(roomId: string, userId: string, text: string): Promise<Message> {
    return this.#unary((callback: UnaryCallback<WireMessage>) =>
      this.#client.Submit({ roomId, userId, text }, callback),
    ).then(fromWireMessage);
  }

  async listRooms(): Promise<RoomInfo[]> {
    const { rooms } = await this.#unary((callback: UnaryCallback<ListRoomsResponse>) =>
      this.#client.ListRooms({}, callback),
    );
    return rooms.map(fromWireRoom);
  }

  async history(roomId: string, limit: number): Promise<Message[]> {
    try {
      const { messages } = await this.#unary((callback: UnaryCallback<ListMessagesResponse>) =>
        this.#client.ListMessages({ roomId, since: "", limit }, callback),
      );
      return messages.map(fromWireMessage);
    } catch (error) {
      if (error instanceof ClientError && error.code === "NOT_FOUND") return [];
      throw error;
    }
  }

  /** gRPC streams do not reconnect by themselves: on UNAVAILABLE, resume from the last id seen. */
  async tail(roomId: string, options: TailOptions, onEvent: (event: RoomEvent) => void): Promise<void> {
    let since = options.since ?? "";
    let opened = false;
    for (;;) {
      const outcome = await new Promise<"deleted" | "aborted" | ServiceError>((resolve) => {
        const call = this.#client.Stream({ roomId, userId: options.userId ?? "", since });
        const abort = (): void => call.cancel();
        options.signal.addEventListener("abort", abort, { once: true });
        let deleted = false;
        call.on("data", (wire: WireEvent) => {
          opened = true;
          const event = fromWireEvent(wire);
          if (event.type === "message") since = event.message.id;
          if (event.type === "deleted") deleted = true;
          onEvent(event);
        });
        call.on("error", (error: ServiceError) => {
          options.signal.removeEventListener("abort", abort);
          resolve(error.code === status.CANCELLED && options.signal.aborted ? "aborted" : error);
        });
        call.on("end", () => {
          options.signal.removeEventListener("abort", abort);
          resolve(deleted ? "deleted" : "aborted");
        });
      });
      if (outcome === "deleted" || outcome === "aborted") return;
      const resumable = outcome.code === status.UNAVAILABLE || outcome.code === status.RESOURCE_EXHAUSTED;
      if (!opened || !resumable) throw this.#error(outcome);
      options.onReconnect?.();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      if (options.signal.aborted) return;
    }
  }

  close(): void {
    this.#client.close();
  }

  #unary<T>(call: (callback: UnaryCallback<T>) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      call((error, value) => (error === null ? resolve(value as T) : reject(this.#error(error))));
    });
  }

  #error(error: ServiceError): ClientError {
    if (error.code === status.UNAVAILABLE && !/shutting down/i.test(error.details)) {
      return unreachable(this.#address, error.details);
    }
    return new ClientError(status[error.code] ?? String(error.code), error.details || error.message);
  }
}
