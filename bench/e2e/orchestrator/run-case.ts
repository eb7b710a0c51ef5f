import { setTimeout as sleep } from "node:timers/promises";
import { commandsCpuMs } from "../shared/proc-stats.js";
import type {
  ConnectResult,
  GeneratorCommand,
  GeneratorReport,
  PhaseResult,
  PublishCommand,
  ServerCommand,
  ServerMemory,
  ServerReport,
  Target,
} from "../shared/protocol.js";
import { BenchChild } from "./child.js";
import type { ServerSpec } from "./servers.js";

/** How one case (one server, one stream count) is run. */
export interface CaseSettings {
  readonly rate: number;
  readonly rateMs: number;
  readonly maxMs: number;
  readonly window: number;
  readonly textBytes: number;
  readonly concurrency: number;
  readonly drainTimeoutMs: number;
  readonly grpcStreamsPerConnection: number;
  /** Extra node flags for the server (e.g. --cpu-prof). */
  readonly serverNodeArgs: readonly string[];
  /** Extra node flags for the generator. */
  readonly generatorNodeArgs: readonly string[];
  /** Pin the server to CPU 0 and the generator to CPU 1, so each has a core of its own. */
  readonly pin: boolean;
}

export interface CaseResult {
  /** CPU used by other processes just before the case, in % of one core (should be near 0). */
  readonly backgroundCpuPct: number;
  readonly server: string;
  readonly label: string;
  readonly streams: number;
  readonly connect: ConnectResult;
  /** Server memory after a full GC: before the streams, with them idle, after the load. */
  readonly memory: {
    readonly baseline: ServerMemory;
    readonly idle: ServerMemory;
    readonly after: ServerMemory;
  };
  readonly rssPerStream: number;
  readonly heapPerStream: number;
  readonly rate: PhaseResult;
  readonly max: PhaseResult;
  /** CPU of the server's store processes (Redis, PostgreSQL) per delivery flat out, in µs. */
  readonly storeCpuUsPerDelivery?: number;
  /** With --repeat: how many passes, and the spread of their results (this one is the median). */
  readonly passes?: {
    readonly count: number;
    readonly deliveriesPerSec: { readonly min: number; readonly max: number };
    readonly p99Ms: { readonly min: number; readonly max: number };
  };
}

const WARMUP_STREAMS = 20;
const ROOM = "bench";

/**
 * Runs one server in a fresh process with a fresh generator: a short warm-up
 * (so lazy initialisation is not charged to the streams), the baseline memory,
 * C streams opened and left idle (memory per stream), then K messages at a
 * fixed rate (latency) and as fast as the server accepts them (throughput).
 */
export async function runCase(
  spec: ServerSpec,
  streams: number,
  settings: CaseSettings,
  backgroundCpuPct: number,
): Promise<CaseResult> {
  const server = new BenchChild<ServerReport, ServerCommand>(spec.name, spec.file, {
    nodeArgs: ["--expose-gc", ...(spec.nodeArgs ?? []), ...settings.serverNodeArgs],
    preload: spec.preload,
    args: spec.args,
    captureStdout: spec.portPattern !== undefined,
    cpu: settings.pin ? 0 : undefined,
  });
  const generator = new BenchChild<GeneratorReport, GeneratorCommand>(
    "generator",
    "bench/e2e/loadgen/main.ts",
    {
      nodeArgs: settings.generatorNodeArgs,
      cpu: settings.pin ? 1 : undefined,
    },
  );
  try {
    const [listening] = await Promise.all([listeningOf(spec, server), generator.next("hello", 60_000)]);
    const target: Target = {
      kind: spec.kind,
      host: "127.0.0.1",
      port: listening.port,
      roomId: ROOM,
      serverPid: listening.pid,
      streamsPerConnection: settings.grpcStreamsPerConnection,
    };
    const publish = (phase: string, mode: "rate" | "max", durationMs: number): PublishCommand => ({
      type: "publish",
      phase,
      mode,
      rate: settings.rate,
      window: settings.window,
      durationMs,
      textBytes: settings.textBytes,
      drainTimeoutMs: settings.drainTimeoutMs,
    });

    const warm = Math.min(WARMUP_STREAMS, streams);
    await generator.request({ type: "connect", target, count: warm, concurrency: warm }, "connected");
    await generator.request(publish("warmup", "max", 500), "phase");
    await generator.request({ type: "disconnect" }, "disconnected");
    const baseline = await server.request({ type: "memory" }, "memory");

    const connect = await generator.request(
      { type: "connect", target, count: streams, concurrency: settings.concurrency },
      "connected",
    );
    if (connect.open === 0) throw new Error(`no stream opened: ${connect.firstError}`);
    await sleep(1_000);
    const idle = await server.request({ type: "memory" }, "memory");
    const rate = await generator.request(publish("rate", "rate", settings.rateMs), "phase");
    const storeCpu0 = spec.services === undefined ? 0 : commandsCpuMs(spec.services);
    const max = await generator.request(publish("max", "max", settings.maxMs), "phase");
    const storeCpuMs = spec.services === undefined ? undefined : commandsCpuMs(spec.services) - storeCpu0;
    const after = await server.request({ type: "memory" }, "memory");
    return {
      backgroundCpuPct,
      server: spec.name,
      label: spec.label,
      streams,
      connect,
      memory: { baseline, idle, after },
      rssPerStream: (idle.rss - baseline.rss) / connect.open,
      heapPerStream: (idle.heapUsed - baseline.heapUsed) / connect.open,
      rate,
      max,
      ...(storeCpuMs === undefined
        ? {}
        : { storeCpuUsPerDelivery: (storeCpuMs * 1000) / Math.max(1, max.delivered) }),
    };
  } finally {
    await server.stop({ type: "stop" });
    await generator.stop({ type: "exit" });
  }
}

/** Where the server listens: from its output (our CLI) or its wrapper's report (the peers). */
async function listeningOf(
  spec: ServerSpec,
  server: BenchChild<ServerReport, ServerCommand>,
): Promise<{ pid: number; port: number }> {
  if (spec.portPattern === undefined) return server.next("listening", 60_000);
  const match = await server.waitForOutput(spec.portPattern, 60_000);
  return { pid: server.pid, port: Number(match[1]) };
}

/** A whole run, as written to `<out>.json` and rendered to the table and the chart. */
export interface BenchRun {
  readonly started: string;
  readonly finished: string;
  readonly machine: { readonly cores: number; readonly cpu: string; readonly node: string };
  /** The commit measured, and whether src/ had uncommitted changes. */
  readonly source: { readonly commit: string; readonly dirty: boolean };
  readonly settings: CaseSettings & {
    readonly servers: readonly string[];
    readonly streams: readonly number[];
    readonly repeat?: number;
  };
  readonly results: readonly CaseResult[];
  readonly failures: readonly { readonly server: string; readonly streams: number; readonly error: string }[];
}
