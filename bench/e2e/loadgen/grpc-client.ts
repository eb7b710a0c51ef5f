import type { Client, ClientReadableStream } from "@grpc/grpc-js";
import { nowUs, scanRecords } from "../shared/payload.js";
import { EVENT_TAG_READY, encodeStrings } from "../shared/proto-wire.js";
import type { Target } from "../shared/protocol.js";
import type { Collector, StreamCounter } from "./collector.js";

type Grpc = typeof import("@grpc/grpc-js");

/**
 * `chat.v1.ChatService/Stream` calls through grpc-js, `streamsPerConnection`
 * per HTTP/2 connection (1 by default: one connection per listener, as with
 * SSE). Events stay raw bytes: the record scan reads the text in place.
 */
export class GrpcStreams {
  readonly #grpc: Grpc;
  readonly #target: Target;
  readonly #clients: Client[] = [];

  private constructor(grpc: Grpc, target: Target) {
    this.#grpc = grpc;
    this.#target = target;
  }

  static async create(target: Target): Promise<GrpcStreams> {
    return new GrpcStreams(await import("@grpc/grpc-js"), target);
  }

  /** Opens the `index`-th stream, on a connection of its own or shared with its neighbours. */
  open(index: number, collector: Collector): GrpcStream {
    const slot = Math.floor(index / this.#target.streamsPerConnection);
    let client = this.#clients[slot];
    if (client === undefined) {
      client = new this.#grpc.Client(
        `${this.#target.host}:${this.#target.port}`,
        this.#grpc.credentials.createInsecure(),
        // Without a pool of its own, every client would share one connection.
        { "grpc.use_local_subchannel_pool": 1 },
      );
      this.#clients[slot] = client;
    }
    return new GrpcStream(client, this.#target, collector);
  }

  close(): void {
    for (const client of this.#clients) client.close();
    this.#clients.length = 0;
  }
}

export class GrpcStream implements StreamCounter {
  received = 0;
  open = true;
  readonly #call: ClientReadableStream<Buffer>;
  #ready = false;
  readonly #readyPromise: Promise<void>;
  #cancelled = false;

  constructor(client: Client, target: Target, collector: Collector) {
    const sink = (sentUs: number, seq: number): void => collector.record(this, sentUs, seq);
    this.#call = client.makeServerStreamRequest(
      "/chat.v1.ChatService/Stream",
      (fields: readonly string[]) => encodeStrings(fields),
      (bytes: Buffer) => bytes,
      [target.roomId],
    );
    this.#readyPromise = new Promise((resolve, reject) => {
      this.#call.on("data", (bytes: Buffer) => {
        if (this.#ready) {
          collector.now = nowUs();
          if (scanRecords(bytes, 0, sink) === -1) collector.malformed++;
        } else if (bytes[0] === EVENT_TAG_READY) {
          this.#ready = true;
          resolve();
        }
      });
      this.#call.on("error", (error) => {
        this.#end(collector);
        reject(error);
      });
      this.#call.on("end", () => {
        this.#end(collector);
        reject(new Error("stream ended before the ready event"));
      });
    });
  }

  get ready(): Promise<void> {
    return this.#readyPromise;
  }

  close(): void {
    this.#cancelled = true;
    this.#call.cancel();
  }

  #end(collector: Collector): void {
    if (!this.open) return;
    this.open = false;
    if (this.#ready && !this.#cancelled) collector.closed++;
  }
}
