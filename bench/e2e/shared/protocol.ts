import type { MachineCpu } from "./proc-stats.js";

/**
 * Messages between the orchestrator (run.ts), the server wrappers and the load
 * generator, over Node's IPC channel. The orchestrator only coordinates: every
 * measurement is taken in the process that can take it without interfering.
 */

/** How the generator talks to a server. */
export type TargetKind = "sse" | "socketio" | "grpc" | "ws";

export interface Target {
  readonly kind: TargetKind;
  readonly host: string;
  readonly port: number;
  readonly roomId: string;
  /** The server process, for its CPU time (`/proc/<pid>/stat`). */
  readonly serverPid: number;
  /** gRPC only: streams multiplexed on one HTTP/2 connection. */
  readonly streamsPerConnection: number;
}

// --- server wrapper <-> orchestrator -------------------------------------

export interface ServerListening {
  readonly type: "listening";
  readonly pid: number;
  readonly port: number;
}

export interface ServerMemory {
  readonly type: "memory";
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

export type ServerReport = ServerListening | ServerMemory;

export type ServerCommand = { readonly type: "memory" } | { readonly type: "stop" };

// --- generator <-> orchestrator ------------------------------------------

export interface ConnectCommand {
  readonly type: "connect";
  readonly target: Target;
  readonly count: number;
  /** Connections being opened at once. */
  readonly concurrency: number;
}

export interface PublishCommand {
  readonly type: "publish";
  readonly phase: string;
  /** `rate`: open loop at `rate` messages/s; `max`: `window` in flight, each sent when one is accepted. */
  readonly mode: "rate" | "max";
  readonly rate: number;
  readonly window: number;
  readonly durationMs: number;
  readonly textBytes: number;
  /** Give up waiting for deliveries after this long without progress. */
  readonly drainTimeoutMs: number;
}

export type GeneratorCommand =
  | ConnectCommand
  | PublishCommand
  | { readonly type: "disconnect" }
  | { readonly type: "exit" };

export interface ConnectResult {
  readonly type: "connected";
  readonly requested: number;
  readonly open: number;
  readonly failed: number;
  readonly firstError: string | undefined;
  /** From the first connection attempt until every stream had its `ready` event. */
  readonly ms: number;
  readonly generatorCpuMs: number;
}

export interface LatencySummary {
  readonly samples: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export interface PhaseResult {
  readonly type: "phase";
  readonly phase: string;
  readonly mode: "rate" | "max";
  readonly streams: number;
  /** Messages the server accepted (201, ack, Submit OK). */
  readonly published: number;
  readonly publishErrors: number;
  /** published x streams open at the start of the phase. */
  readonly expected: number;
  readonly delivered: number;
  /** Expected deliveries that never arrived. */
  readonly lost: number;
  /** Deliveries beyond one per message and stream. */
  readonly duplicates: number;
  /** Streams the server ended during the phase (slow-consumer policy or error). */
  readonly closedStreams: number;
  readonly malformed: number;
  /** First send to last delivery, in ms. */
  readonly durationMs: number;
  readonly deliveriesPerSec: number;
  readonly publishedPerSec: number;
  /** End-to-end latency (publisher send to receiver read), in ms. */
  readonly latencyMs: LatencySummary;
  /** Server CPU over the phase, in % of one core. */
  readonly serverCpuPct: number;
  /** Server CPU time per delivery, in µs: the cost, whatever else the machine was doing. */
  readonly serverCpuUsPerDelivery: number;
  /** Generator CPU over the phase, in % of one core. */
  readonly generatorCpuPct: number;
  /** The whole machine over the phase, in % of one core. */
  readonly machineCpu: MachineCpu;
  /** CPU of processes other than the server and the generator (noise), in % of one core. */
  readonly otherCpuPct: number;
  /** True if deliveries stopped before every expected one arrived. */
  readonly timedOut: boolean;
}

export type GeneratorReport =
  | { readonly type: "hello" }
  | ConnectResult
  | PhaseResult
  | { readonly type: "disconnected" }
  | { readonly type: "error"; readonly message: string };
