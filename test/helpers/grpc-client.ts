import {
  type ChannelOptions,
  type ClientReadableStream,
  credentials,
  loadPackageDefinition,
  type Metadata,
  type ServiceClientConstructor,
  type StatusObject,
  status,
} from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import {
  bearerToken,
  CHAT_PROTO_PATH,
  type ChatServiceClient,
  type ListMessagesResponse,
  type ListRoomsResponse,
  type UnaryCallback,
  type WireEvent,
  type WireMessage,
  type WireRoom,
} from "../../src/adapters/grpc/index.js";

/**
 * Each test client gets its own connection: grpc-js would otherwise share one
 * between clients of the same address, and a stalled stream would hold the
 * connection's flow-control window for the others.
 */
const OWN_CONNECTION: ChannelOptions = { "grpc.use_local_subchannel_pool": 1 };

/** Loads chat.proto the way a Node client would, independently of the server's loader. */
function chatServiceConstructor(): ServiceClientConstructor {
  const definition = loadSync(CHAT_PROTO_PATH, {
    keepCase: false,
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const chat = loadPackageDefinition(definition).chat as {
    v1: { ChatService: ServiceClientConstructor };
  };
  return chat.v1.ChatService;
}

/** A promise-based client of chat.v1.ChatService built from proto/chat.proto. */
export class ChatTestClient {
  readonly stub: ChatServiceClient;

  /** `token` goes in every call's `authorization` metadata. */
  constructor(address: string, token?: string) {
    const ChatService = chatServiceConstructor();
    const interceptors = token === undefined ? [] : [bearerToken(token)];
    this.stub = new ChatService(address, credentials.createInsecure(), {
      ...OWN_CONNECTION,
      interceptors,
    }) as unknown as ChatServiceClient;
  }

  submit(roomId: string, userId: string, text: string): Promise<WireMessage> {
    return unary((cb) => this.stub.Submit({ roomId, userId, text }, cb));
  }

  deleteRoom(roomId: string): Promise<object> {
    return unary((cb) => this.stub.DeleteRoom({ roomId }, cb));
  }

  getRoom(roomId: string): Promise<WireRoom> {
    return unary((cb) => this.stub.GetRoom({ roomId }, cb));
  }

  listRooms(): Promise<ListRoomsResponse> {
    return unary((cb) => this.stub.ListRooms({}, cb));
  }

  listMessages(roomId: string, since = "", limit = 0): Promise<ListMessagesResponse> {
    return unary((cb) => this.stub.ListMessages({ roomId, since, limit }, cb));
  }

  stream(roomId: string, options: { userId?: string; since?: string } = {}): EventStream {
    return new EventStream(
      this.stub.Stream({ roomId, userId: options.userId ?? "", since: options.since ?? "" }),
    );
  }

  close(): void {
    this.stub.close();
  }
}

/** Resolves with the response, or rejects with the ServiceError (its `code`, `details`, `metadata`). */
export function unary<T>(call: (callback: UnaryCallback<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    call((error, value) => (error === null ? resolve(value as T) : reject(error)));
  });
}

/** The machine error code the server put in the trailers. */
export function errorCodeOf(error: { metadata?: Metadata }): unknown {
  return error.metadata?.get("chat-error-code")[0];
}

/** The stream ended (with `status`) before the event a test waited for. */
export class StreamEndedError extends Error {
  readonly status: StatusObject;

  constructor(ended: StatusObject) {
    super(`stream ended with ${status[ended.code]}: ${ended.details}`);
    this.status = ended;
  }
}

/**
 * A server stream read one event at a time: `next()` resolves with the next
 * event, or rejects with StreamEndedError once every event has been read and
 * the call has ended. `pause()` stops reading (grpc-js then stops taking data
 * from the connection, and the server's writes back up).
 */
export class EventStream<E = WireEvent> {
  readonly call: ClientReadableStream<E>;
  readonly #events: E[] = [];
  readonly #waiters: { resolve: (event: E) => void; reject: (error: Error) => void }[] = [];
  #status: StatusObject | undefined;
  #readAll = false;
  readonly #ended: Promise<StatusObject>;

  constructor(call: ClientReadableStream<E>) {
    this.call = call;
    call.on("data", (event: E) => {
      const waiter = this.#waiters.shift();
      if (waiter === undefined) this.#events.push(event);
      else waiter.resolve(event);
    });
    // The status event reports errors too; this listener keeps them from being thrown.
    call.on("error", () => undefined);
    const statusReceived = new Promise<StatusObject>((resolve) => call.once("status", resolve));
    // 'end' follows the last buffered event, even when the status came first.
    const allRead = new Promise<void>((resolve) => call.once("end", resolve));
    this.#ended = Promise.all([statusReceived, allRead]).then(([ended]) => {
      this.#status = ended;
      this.#readAll = true;
      for (const waiter of this.#waiters.splice(0)) waiter.reject(new StreamEndedError(ended));
      return ended;
    });
  }

  next(): Promise<E> {
    const queued = this.#events.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#readAll && this.#status !== undefined)
      return Promise.reject(new StreamEndedError(this.#status));
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /** Reads events until one satisfies `predicate`; returns every event read, that one last. */
  async until(predicate: (event: E) => boolean): Promise<E[]> {
    const read: E[] = [];
    for (;;) {
      const event = await this.next();
      read.push(event);
      if (predicate(event)) return read;
    }
  }

  /** Every remaining event, and the final status once the call has ended. */
  async rest(): Promise<{ events: E[]; status: StatusObject }> {
    this.call.resume();
    const ended = await this.#ended;
    return { events: this.#events.splice(0), status: ended };
  }

  /** The final status (after every event was received). */
  ended(): Promise<StatusObject> {
    return this.#ended;
  }

  pause(): void {
    this.call.pause();
  }

  cancel(): void {
    this.call.cancel();
  }
}

/** The event's text if it is a message (for compact assertions). */
export function textOf(event: WireEvent): string | undefined {
  return event.event === "message" ? event.message.text : undefined;
}

export function isMessage(text: string): (event: WireEvent) => boolean {
  return (event) => event.event === "message" && event.message.text === text;
}
