import type { LatencySummary } from "../shared/protocol.js";

/** One open stream, as the collector sees it. */
export interface StreamCounter {
  /** Messages of the current phase this stream received. */
  received: number;
  readonly open: boolean;
}

/**
 * Where every receiver reports: counts deliveries per stream and keeps one
 * latency sample per delivery of the current phase. Receivers set `now` once
 * per socket read, so a read that carries many frames costs one clock call.
 */
export class Collector {
  /** The receive time of the read being parsed, in µs (see `nowUs`). */
  now = 0;
  delivered = 0;
  malformed = 0;
  /** Streams ended by the server after they were ready. */
  closed = 0;
  lastDeliveryUs = 0;
  /** Records with a lower sequence number belong to an earlier phase: ignored. */
  #firstSeq = Number.POSITIVE_INFINITY;
  #samples = new Float64Array(1 << 20);
  #count = 0;

  /** Starts a phase: deliveries of messages numbered from `firstSeq` count. */
  beginPhase(firstSeq: number, streams: readonly StreamCounter[]): void {
    this.#firstSeq = firstSeq;
    this.delivered = 0;
    this.malformed = 0;
    this.closed = 0;
    this.lastDeliveryUs = 0;
    this.#count = 0;
    for (const stream of streams) stream.received = 0;
  }

  record(stream: StreamCounter, sentUs: number, seq: number): void {
    if (seq < this.#firstSeq) return;
    stream.received++;
    this.delivered++;
    this.lastDeliveryUs = this.now;
    if (this.#count === this.#samples.length) {
      const grown = new Float64Array(this.#samples.length * 2);
      grown.set(this.#samples);
      this.#samples = grown;
    }
    this.#samples[this.#count++] = this.now - sentUs;
  }

  /** Percentiles of this phase's latencies, in ms. */
  latency(): LatencySummary {
    const samples = this.#samples.subarray(0, this.#count).sort();
    const n = samples.length;
    if (n === 0) return { samples: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 };
    const at = (q: number): number => (samples[Math.min(n - 1, Math.floor(q * n))] as number) / 1000;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += samples[i] as number;
    return { samples: n, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: at(1), mean: sum / n / 1000 };
  }
}
