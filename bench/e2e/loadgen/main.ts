/**
 * The load generator: a process of its own that opens the streams, publishes,
 * and measures what arrives. It takes commands from the orchestrator over IPC
 * and answers with its measurements, including its own CPU use.
 */
import { cpus } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { messageText, nowUs } from "../shared/payload.js";
import { CpuMeter, MachineCpuMeter } from "../shared/proc-stats.js";
import type {
  ConnectCommand,
  ConnectResult,
  GeneratorCommand,
  GeneratorReport,
  PhaseResult,
  PublishCommand,
  Target,
} from "../shared/protocol.js";
import { Collector, type StreamCounter } from "./collector.js";
import { GrpcStreams } from "./grpc-client.js";
import { createPublisher } from "./publishers.js";
import { SocketIoStream } from "./socketio-client.js";
import { SseStream } from "./sse-client.js";
import { WsStream } from "./ws-client.js";

interface Stream extends StreamCounter {
  readonly ready: Promise<void>;
  close(): void;
}

const collector = new Collector();
let streams: Stream[] = [];
let target: Target | undefined;
let grpcStreams: GrpcStreams | undefined;
/** Sequence numbers run on across phases, so a late delivery of an earlier phase is recognised. */
let nextSeq = 1;

/** A stream that has not had its ready event by then counts as failed. */
const CONNECT_TIMEOUT_MS = 30_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ready event within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

async function connectAll(command: ConnectCommand): Promise<ConnectResult> {
  target = command.target;
  const open = async (): Promise<(index: number) => Stream> => {
    switch (command.target.kind) {
      case "sse":
        return () => new SseStream(command.target, collector);
      case "socketio":
        return () => new SocketIoStream(command.target, collector);
      case "ws":
        return () => new WsStream(command.target, collector);
      case "grpc": {
        grpcStreams ??= await GrpcStreams.create(command.target);
        const pool = grpcStreams;
        return (index) => pool.open(index, collector);
      }
    }
  };
  const factory = await open();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const base = streams.length;
  let next = 0;
  let failed = 0;
  let firstError: string | undefined;
  const worker = async (): Promise<void> => {
    while (next < command.count) {
      const stream = factory(base + next++);
      try {
        await withTimeout(stream.ready, CONNECT_TIMEOUT_MS);
        streams.push(stream);
      } catch (error) {
        failed++;
        firstError ??= String(error);
        stream.close();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(command.concurrency, command.count) }, worker));
  return {
    type: "connected",
    requested: command.count,
    open: streams.filter((stream) => stream.open).length,
    failed,
    firstError,
    ms: performance.now() - t0,
    generatorCpuMs: cpuMs(process.cpuUsage(cpu0)),
  };
}

async function runPhase(command: PublishCommand): Promise<PhaseResult> {
  if (target === undefined) throw new Error("publish before connect");
  const publisher = await createPublisher(target, command.window);
  const live = streams.filter((stream) => stream.open);
  collector.beginPhase(nextSeq, streams);
  const serverCpu = new CpuMeter(target.serverPid);
  serverCpu.start();
  const machineCpu = new MachineCpuMeter(cpus().length);
  machineCpu.start();
  const cpu0 = process.cpuUsage();
  const firstSendUs = nowUs();
  const t0 = performance.now();
  let accepted = 0;
  let publishErrors = 0;
  const send = async (): Promise<void> => {
    const seq = nextSeq++;
    if (await publisher.publish(messageText(seq, nowUs(), command.textBytes))) accepted++;
    else publishErrors++;
  };

  if (command.mode === "rate") {
    // Open loop: each message leaves on schedule, whatever the previous ones are doing.
    const pending: Promise<void>[] = [];
    for (let i = 0; ; i++) {
      const due = t0 + (i * 1000) / command.rate;
      if (due >= t0 + command.durationMs) break;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      pending.push(send());
    }
    await Promise.all(pending);
  } else {
    // Closed loop: `window` messages in flight, the next one sent as soon as one is accepted.
    const end = t0 + command.durationMs;
    const worker = async (): Promise<void> => {
      while (performance.now() < end) await send();
    };
    await Promise.all(Array.from({ length: command.window }, worker));
  }
  const publishMs = performance.now() - t0;

  const expected = accepted * live.length;
  let timedOut = false;
  let seen = collector.delivered;
  let progressAt = performance.now();
  while (collector.delivered < expected) {
    await sleep(5);
    if (collector.delivered !== seen) {
      seen = collector.delivered;
      progressAt = performance.now();
    } else if (performance.now() - progressAt > command.drainTimeoutMs) {
      timedOut = true;
      break;
    }
  }
  const { ms: serverCpuMs, pct: serverCpuPct } = serverCpu.stop();
  const machine = machineCpu.stop();
  const generatorCpuPct = (100 * cpuMs(process.cpuUsage(cpu0))) / (performance.now() - t0);
  publisher.close();

  let lost = 0;
  let duplicates = 0;
  for (const stream of live) {
    if (stream.received > accepted) duplicates += stream.received - accepted;
    else lost += accepted - stream.received;
  }
  const durationMs = collector.lastDeliveryUs > 0 ? (collector.lastDeliveryUs - firstSendUs) / 1000 : 0;
  return {
    type: "phase",
    phase: command.phase,
    mode: command.mode,
    streams: live.length,
    published: accepted,
    publishErrors,
    expected,
    delivered: collector.delivered,
    lost,
    duplicates,
    closedStreams: collector.closed,
    malformed: collector.malformed,
    durationMs,
    deliveriesPerSec: durationMs > 0 ? (collector.delivered * 1000) / durationMs : 0,
    publishedPerSec: (accepted * 1000) / publishMs,
    latencyMs: collector.latency(),
    serverCpuPct,
    serverCpuUsPerDelivery: collector.delivered > 0 ? (1000 * serverCpuMs) / collector.delivered : 0,
    generatorCpuPct,
    machineCpu: machine,
    otherCpuPct: Math.max(0, machine.user + machine.system - serverCpuPct - generatorCpuPct),
    timedOut,
  };
}

async function disconnect(): Promise<void> {
  for (const stream of streams) stream.close();
  streams = [];
  grpcStreams?.close();
  grpcStreams = undefined;
  // Let the closes reach the server before it is measured again.
  await sleep(300);
}

function reply(report: GeneratorReport): void {
  process.send?.(report);
}

process.on("message", (command: GeneratorCommand) => {
  const run = async (): Promise<void> => {
    switch (command.type) {
      case "connect":
        return reply(await connectAll(command));
      case "publish":
        return reply(await runPhase(command));
      case "disconnect":
        await disconnect();
        return reply({ type: "disconnected" });
      case "exit":
        process.exit(0);
    }
  };
  run().catch((error: unknown) =>
    reply({ type: "error", message: String((error as Error)?.stack ?? error) }),
  );
});
process.on("disconnect", () => process.exit(0));
reply({ type: "hello" });
