import {
  type ClientReadableStream,
  credentials,
  loadPackageDefinition,
  type ServiceError,
  status,
} from "@grpc/grpc-js";
import {
  loadChatProto,
  type WireEvent,
  type WireMessage,
  type WireRoom,
  type WireTimestamp,
} from "../adapters/grpc/index.js";
import type { Message, RoomEvent, RoomInfo } from "../rooms/index.js";
import { type ChatClient, ClientError, type TailOptions } from "./chat-client.js";

type Callback<T> = (error: ServiceError | null, value?: T) => void;
interface ChatServiceClient {
  Submit(request: object, callback: Callback<WireMessage>): void;
  ListRooms(request: object, callback: Callback<{ rooms: WireRoom[] }>): void;
  Stream(request: object): ClientReadableStream<WireEvent>;
  close(): void;
}
type ChatServiceConstructor = new (
  address: string,
  creds: ReturnType<typeof credentials.createInsecure>,
) => ChatServiceClient;

/** The gRPC client of the CLI, built from proto/chat.proto. */
export class GrpcChatClient implements ChatClient {
  readonly #address: string;
  readonly #client: ChatServiceClient;

  constructor(address: string) {
    this.#address = address;
    const loaded = loadPackageDefinition(loadChatProto()) as unknown as {
      chat: { v1: { ChatService: ChatServiceConstructor } };
    };
    this.#client = new loaded.chat.v1.ChatService(address, credentials.createInsecure());
  }

  send(roomId: string, userId: string, text: string): Promise<Message> {
    return this.#unary<WireMessage>((callback) =>
      this.#client.Submit({ roomId, userId, text }, callback),
    ).then(toMessage);
  }

  async listRooms(): Promise<RoomInfo[]> {
    const { rooms } = await this.#unary<{ rooms: WireRoom[] }>((callback) =>
      this.#client.ListRooms({}, callback),
    );
    return rooms.map((room) => ({
      ...room,
      lastMessageId: room.lastMessageId === "" ? null : room.lastMessageId,
      createdAt: toIso(room.createdAt),
    }));
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

  #unary<T>(call: (callback: Callback<T>) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      call((error, value) => (error === null ? resolve(value as T) : reject(this.#error(error))));
    });
  }

  #error(error: ServiceError): ClientError {
    if (error.code === status.UNAVAILABLE && !/shutting down/i.test(error.details)) {
      return new ClientError("unreachable", `cannot reach ${this.#address} (${error.details})`);
    }
    return new ClientError(status[error.code] ?? String(error.code), error.details || error.message);
  }
}

function toIso(timestamp: WireTimestamp): string {
  return new Date(Number(timestamp.seconds) * 1000 + Math.floor(timestamp.nanos / 1e6)).toISOString();
}

function toMessage(wire: WireMessage): Message {
  return {
    id: wire.id,
    roomId: wire.roomId,
    userId: wire.userId,
    text: wire.text,
    sentAt: toIso(wire.sentAt),
  };
}

const RECOVERED: Readonly<Record<string, boolean | null>> = {
  RESUME_STATUS_RECOVERED: true,
  RESUME_STATUS_INCOMPLETE: false,
};

/** A gRPC `Event` as the room event it stands for (the SSE and WebSocket shape). */
export function fromWireEvent(wire: WireEvent): RoomEvent {
  switch (wire.event) {
    case "ready": {
      const ready = wire.ready;
      return {
        type: "ready",
        roomId: ready.roomId,
        members: [...ready.members],
        lastId: ready.lastId === "" ? null : ready.lastId,
        recovered: RECOVERED[ready.recovered] ?? null,
      };
    }
    case "message":
      return { type: "message", message: toMessage(wire.message) };
    case "joined":
      return { type: "joined", roomId: wire.joined.roomId, userId: wire.joined.userId };
    case "left":
      return { type: "left", roomId: wire.left.roomId, userId: wire.left.userId };
    case "deleted":
      return { type: "deleted", roomId: wire.deleted.roomId };
  }
}
