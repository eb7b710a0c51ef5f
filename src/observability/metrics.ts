import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { RoomEvent, RoomManager } from "../rooms/index.js";

/**
 * The one `adapter` label of every metric and log line: the adapter that
 * answered (`rest` for the JSON API and its SSE streams, `html` for the pages),
 * or `http` for what the HTTP port answers itself (`/healthz`, `/metrics`).
 */
export type AdapterLabel = "rest" | "html" | "grpc" | "ws" | "http";
/** Why a stream was ended by the server for being slow. */
export type EvictionReason = "slow_consumer";

/** One answered request (not a stream's messages), as the access log and the histogram see it. */
export interface FinishedRequest {
  readonly adapter: AdapterLabel;
  /** The route's pattern (`/room/:roomId`), the RPC's name, or `unmatched`: never the raw path. */
  readonly route: string;
  /** HTTP method, or `rpc` for gRPC. */
  readonly method: string;
  /** HTTP status, or the gRPC status name. */
  readonly status: string;
  readonly seconds: number;
}

/** What a shared store reports about itself (the Redis store's `stats`). */
export interface StoreStats {
  readonly busReconnects: number;
  readonly roundTrips: number;
  /** Sum of round-trip times, in seconds. */
  readonly roundTripSeconds: number;
}

/** A counter that mirrors a monotonically increasing number read at scrape time. */
function mirroredCounter(registers: Registry[], name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers,
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

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
  readonly #requestSeconds: Histogram<"adapter" | "route" | "method" | "status">;
  readonly #deliveryLag: Histogram<"adapter">;

  constructor(rooms?: RoomManager, storeStats?: () => StoreStats) {
    const registers = [this.registry];
    this.#openStreams = new Gauge({
      name: "chat_open_streams",
      help: "Streams open now (SSE streams, gRPC streams, WebSockets), by adapter (SSE: rest or html)",
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
    this.#requestSeconds = new Histogram({
      name: "chat_request_duration_seconds",
      help: "Requests answered (not streams), by adapter, route, method and status: _count is the request count",
      labelNames: ["adapter", "route", "method", "status"],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.#deliveryLag = new Histogram({
      name: "chat_delivery_lag_seconds",
      help: "From a message's sentAt to its write to a stream client, by adapter (one sample per write)",
      labelNames: ["adapter"],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
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
      mirroredCounter(
        registers,
        "chat_messages_accepted_total",
        "Messages accepted and stored",
        () => rooms.stats.messagesAccepted,
      );
      mirroredCounter(
        registers,
        "chat_bus_gaps_detected_total",
        "Live messages that came past the next expected offset (the bus lost some)",
        () => rooms.stats.gapsDetected,
      );
      mirroredCounter(
        registers,
        "chat_bus_gaps_filled_total",
        "Gaps filled by a catch-up read from history",
        () => rooms.stats.gapsFilled,
      );
      new Gauge({
        name: "chat_history_retained_bytes",
        help: "Bytes of history the in-memory store holds (texts and user ids, plus 128 per message)",
        registers,
        collect() {
          this.set(rooms.stats.memory?.retainedBytes ?? 0);
        },
      });
      mirroredCounter(
        registers,
        "chat_history_evicted_total",
        "Messages the in-memory store evicted to stay within its byte bounds",
        () => rooms.stats.memory?.evictedMessages ?? 0,
      );
      mirroredCounter(
        registers,
        "chat_listeners_history_lost_total",
        "Listeners ended because their room lost messages they had not seen",
        () => rooms.stats.listenersLost,
      );
    }
    if (storeStats !== undefined) {
      mirroredCounter(
        registers,
        "chat_bus_reconnects_total",
        "Times the store's bus connection came back",
        () => storeStats().busReconnects,
      );
      mirroredCounter(
        registers,
        "chat_store_round_trips_total",
        "Store round trips",
        () => storeStats().roundTrips,
      );
      mirroredCounter(
        registers,
        "chat_store_round_trip_seconds_total",
        "Time spent in store round trips (divide by chat_store_round_trips_total for the mean)",
        () => storeStats().roundTripSeconds,
      );
    }
    collectDefaultMetrics({ register: this.registry });
  }

  streamOpened(adapter: AdapterLabel): void {
    this.#openStreams.inc({ adapter });
  }

  streamClosed(adapter: AdapterLabel): void {
    this.#openStreams.dec({ adapter });
  }

  delivered(adapter: AdapterLabel, count: number): void {
    this.#deliveries.inc({ adapter }, count);
  }

  /**
   * Returns `record(events)` for one adapter's writes: one lag sample per
   * write, of its newest message. The events of a tick are the same objects
   * on every stream, so the parsed `sentAt` is kept for the next stream.
   */
  deliveryLagRecorder(adapter: AdapterLabel): (events: readonly RoomEvent[]) => void {
    const lag = this.#deliveryLag.labels(adapter);
    let last: RoomEvent | undefined;
    let sentAtMs = 0;
    return (events) => {
      const newest = events[events.length - 1];
      if (newest?.type !== "message") return;
      if (newest !== last) {
        last = newest;
        sentAtMs = Date.parse(newest.message.sentAt);
      }
      lag.observe(Math.max(0, Date.now() - sentAtMs) / 1000);
    };
  }

  evicted(adapter: AdapterLabel, reason: EvictionReason): void {
    this.#evictions.inc({ adapter, reason });
  }

  requestError(adapter: AdapterLabel, code: string): void {
    this.#requestErrors.inc({ adapter, code });
  }

  requestFinished(request: FinishedRequest): void {
    const { adapter, route, method, status, seconds } = request;
    this.#requestSeconds.observe({ adapter, route, method, status }, seconds);
  }
}
