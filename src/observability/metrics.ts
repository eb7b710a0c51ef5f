import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { RoomManager } from "../rooms/index.js";

export type StreamAdapter = "sse" | "grpc";
/** Why a stream was ended by the server for being slow. */
export type EvictionReason = "slow_consumer";

/**
 * Prometheus metrics of one server. Each instance has its own registry, so
 * tests and embedders can run several servers in one process.
 */
export class ChatMetrics {
  readonly registry = new Registry();
  readonly #openStreams: Gauge<"adapter">;
  readonly #deliveries: Counter<"adapter">;
  readonly #evictions: Counter<"adapter" | "reason">;
  readonly #requestErrors: Counter<"adapter" | "code">;

  constructor(rooms?: RoomManager) {
    const registers = [this.registry];
    this.#openStreams = new Gauge({
      name: "chat_open_streams",
      help: "Streams open now, by adapter",
      labelNames: ["adapter"],
      registers,
    });
    this.#deliveries = new Counter({
      name: "chat_deliveries_total",
      help: "Events written to stream clients, by adapter",
      labelNames: ["adapter"],
      registers,
    });
    this.#evictions = new Counter({
      name: "chat_slow_consumer_evictions_total",
      help: "Streams ended because their client fell behind",
      labelNames: ["adapter", "reason"],
      registers,
    });
    this.#requestErrors = new Counter({
      name: "chat_request_errors_total",
      help: "Requests answered with an error, by adapter and error code",
      labelNames: ["adapter", "code"],
      registers,
    });
    if (rooms !== undefined) {
      new Gauge({
        name: "chat_rooms",
        help: "Rooms held by the store",
        registers,
        async collect() {
          this.set(await rooms.countRooms());
        },
      });
      new Counter({
        name: "chat_messages_accepted_total",
        help: "Messages accepted and stored",
        registers,
        collect() {
          this.reset();
          this.inc(rooms.stats.messagesAccepted);
        },
      });
    }
    collectDefaultMetrics({ register: this.registry });
  }

  streamOpened(adapter: StreamAdapter): void {
    this.#openStreams.inc({ adapter });
  }

  streamClosed(adapter: StreamAdapter): void {
    this.#openStreams.dec({ adapter });
  }

  delivered(adapter: StreamAdapter, count: number): void {
    this.#deliveries.inc({ adapter }, count);
  }

  evicted(adapter: StreamAdapter, reason: EvictionReason): void {
    this.#evictions.inc({ adapter, reason });
  }

  requestError(adapter: "rest" | "html" | "grpc", code: string): void {
    this.#requestErrors.inc({ adapter, code });
  }
}
