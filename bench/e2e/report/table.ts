import type { BenchRun, CaseResult } from "../orchestrator/run-case.js";
import { kb, ms, ratio, seconds, thousands } from "./format.js";

/** One console line per finished case. */
export function formatCaseLine(r: CaseResult): string {
  const lat = r.rate.latencyMs;
  return [
    r.server.padEnd(15),
    String(r.streams).padStart(6),
    `connect ${seconds(r.connect.ms)}`,
    `${thousands(r.max.deliveriesPerSec).padStart(8)} deliveries/s`,
    `p50/p95/p99 ${ms(lat.p50)}/${ms(lat.p95)}/${ms(lat.p99)} ms`,
    `lost ${lostText(r)}`,
    `cpu ${Math.round(r.max.serverCpuPct)}% = ${r.max.serverCpuUsPerDelivery.toFixed(1)} µs/delivery (gen ${Math.round(r.max.generatorCpuPct)}%, ` +
      `softirq ${Math.round(r.max.machineCpu.softirq)}%, idle ${Math.round(r.max.machineCpu.idle)}%, ` +
      `others ${Math.round(Math.max(r.rate.otherCpuPct, r.max.otherCpuPct))}%)`,
    ...(r.storeCpuUsPerDelivery === undefined
      ? []
      : [`store cpu ${r.storeCpuUsPerDelivery.toFixed(1)} µs/delivery`]),
    `rss ${rssText(r)}/stream heap ${kb(r.heapPerStream)}/stream`,
  ].join("  ");
}

/** Deliveries/s, with the range over the passes when there were several. */
function throughputText(r: CaseResult): string {
  const value = thousands(r.max.deliveriesPerSec);
  if (r.passes === undefined) return value;
  const k = (n: number): string => `${Math.round(n / 1000)}k`;
  return `${value} (${k(r.passes.deliveriesPerSec.min)}–${k(r.passes.deliveriesPerSec.max)})`;
}

/**
 * Below this many streams, RSS per stream is noise: the process grows in
 * pages and allocator arenas, not in stream-sized steps.
 */
export const RSS_MIN_STREAMS = 1000;

function rssText(r: CaseResult): string {
  return r.streams < RSS_MIN_STREAMS ? "–" : kb(r.rssPerStream);
}

function lostText(r: CaseResult): string {
  const lost = r.rate.lost + r.max.lost;
  const closed = r.rate.closedStreams + r.max.closedStreams;
  const failed = r.connect.failed;
  const notes = [
    closed > 0 ? `${closed} streams ended by the server` : "",
    failed > 0 ? `${failed} failed to connect` : "",
    r.rate.duplicates + r.max.duplicates > 0 ? `${r.rate.duplicates + r.max.duplicates} duplicates` : "",
  ].filter((note) => note !== "");
  return notes.length === 0 ? String(lost) : `${lost} (${notes.join(", ")})`;
}

const HAND_WRITTEN = "raw-sse";

/** The results as Markdown: settings, the main table, and our ratios to each peer. */
export function renderResultsMarkdown(run: BenchRun): string {
  const s = run.settings;
  const repeat = s.repeat ?? Math.max(1, ...run.results.map((r) => r.passes?.count ?? 1));
  const lines: string[] = [];
  lines.push(
    `Run ${run.started.slice(0, 16).replace("T", " ")} UTC on ${run.machine.cores} cores (${run.machine.cpu}), ` +
      `node ${run.machine.node}, commit ${run.source?.commit ?? "?"}` +
      `${run.source?.dirty ? " with uncommitted changes in src/" : ""}. Fixed rate: ${s.rate} messages/s for ${s.rateMs / 1000} s; flat out: ` +
      `${s.maxMs / 1000} s with ${s.window} messages in flight; ${s.textBytes}-byte message text; ` +
      `streams opened ${s.concurrency} at a time; gRPC: ${s.grpcStreamsPerConnection} stream(s) per connection.` +
      (repeat > 1
        ? ` Each row is the median of ${repeat} passes over the whole matrix (by flat-out throughput; ` +
          "the range of all passes in brackets)."
        : ""),
    "",
    "| streams | server | connect all | deliveries/s (flat out) | vs hand-written | latency p50 / p95 / p99 at " +
      `${s.rate} msg/s | lost | server CPU | generator CPU | RSS / idle stream | heap / idle stream |`,
    "|---:|---|---:|---:|---:|---:|---|---:|---:|---:|---:|",
  );
  for (const r of sorted(run.results)) {
    const base = find(run, HAND_WRITTEN, r.streams);
    const lat = r.rate.latencyMs;
    lines.push(
      `| ${thousands(r.streams)} | ${r.label} | ${seconds(r.connect.ms)} | ${throughputText(r)} | ` +
        `${base === undefined ? "–" : ratio(r.max.deliveriesPerSec, base.max.deliveriesPerSec)} | ` +
        `${ms(lat.p50)} / ${ms(lat.p95)} / ${ms(lat.p99)} ms | ${lostText(r)} | ` +
        `${Math.round(r.max.serverCpuPct)}% | ${Math.round(r.max.generatorCpuPct)}% | ` +
        `${rssText(r)} | ${kb(r.heapPerStream)} |`,
    );
  }
  for (const f of run.failures) lines.push(`| ${thousands(f.streams)} | ${f.server} | failed: ${f.error} |`);

  const ours = [...new Set(run.results.filter((r) => r.server.startsWith("ours-")).map((r) => r.server))];
  const peers = [...new Set(run.results.filter((r) => !r.server.startsWith("ours-")).map((r) => r.server))];
  if (ours.length > 0 && peers.length > 0) {
    lines.push(
      "",
      "Ratios of our delivered throughput (flat out) and RSS per idle stream to each peer's, same run:",
      "",
      `| streams | ours | ${peers.map((p) => `vs ${labelOf(run, p)}`).join(" | ")} |`,
      `|---:|---|${peers.map(() => "---:").join("|")}|`,
    );
    for (const streams of s.streams) {
      for (const name of ours) {
        const r = find(run, name, streams);
        if (r === undefined) continue;
        const cells = peers.map((peer) => {
          const p = find(run, peer, streams);
          if (p === undefined) return "–";
          const throughput = `${ratio(r.max.deliveriesPerSec, p.max.deliveriesPerSec)} throughput`;
          return streams < RSS_MIN_STREAMS
            ? throughput
            : `${throughput}, ${ratio(r.rssPerStream, p.rssPerStream)} RSS`;
        });
        lines.push(`| ${thousands(streams)} | ${r.label} | ${cells.join(" | ")} |`);
      }
    }
  }
  return `${lines.join("\n")}\n`;
}

function sorted(results: readonly CaseResult[]): CaseResult[] {
  return [...results].sort((a, b) => a.streams - b.streams);
}

function find(run: BenchRun, server: string, streams: number): CaseResult | undefined {
  return run.results.find((r) => r.server === server && r.streams === streams);
}

function labelOf(run: BenchRun, server: string): string {
  return run.results.find((r) => r.server === server)?.label ?? server;
}
