import type { BenchRun, CaseResult } from "../orchestrator/run-case.js";
import { RSS_MIN_STREAMS } from "./table.js";

/** Series colours, in the order servers appear in the run. */
const COLOURS = ["#1f6feb", "#0b8a6f", "#6e7781", "#d4a72c", "#cf222e", "#8250df"];

interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly value: (r: CaseResult) => number;
  /** A log scale, for values that span decades. */
  readonly log?: boolean;
  /** Stream counts shown (all when absent). */
  readonly minStreams?: number;
}

const PANELS: readonly Panel[] = [
  {
    title: "Delivered messages/s, flat out (higher is better)",
    unit: "",
    value: (r) => r.max.deliveriesPerSec,
  },
  {
    title: "p99 latency at the fixed rate, ms, log scale (lower is better)",
    unit: "ms",
    value: (r) => r.rate.latencyMs.p99,
    log: true,
  },
  {
    title: "RSS per idle stream, KB (lower is better)",
    unit: "KB",
    value: (r) => r.rssPerStream / 1024,
    minStreams: RSS_MIN_STREAMS,
  },
];

const PANEL_W = 420;
const PANEL_H = 300;
const MARGIN = { left: 62, right: 12, top: 34, bottom: 40 };
const LEGEND_H = 56;

/** Three grouped bar charts (throughput, p99, memory per stream) as one SVG, from the run's own numbers. */
export function renderChart(run: BenchRun): string {
  const servers = [...new Set(run.results.map((r) => r.server))];
  const streams = [...new Set(run.results.map((r) => r.streams))].sort((a, b) => a - b);
  const width = PANEL_W * PANELS.length;
  const height = PANEL_H + LEGEND_H;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="Helvetica, Arial, sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  servers.forEach((server, i) => {
    const x = 16 + (i % 3) * 300;
    const y = 16 + Math.floor(i / 3) * 18;
    const label = run.results.find((r) => r.server === server)?.label ?? server;
    parts.push(
      `<rect x="${x}" y="${y - 9}" width="12" height="12" fill="${colour(i)}"/>`,
      `<text x="${x + 18}" y="${y + 1}">${xml(label)}</text>`,
    );
  });
  PANELS.forEach((panel, p) => {
    const shown = streams.filter((count) => count >= (panel.minStreams ?? 0));
    parts.push(renderPanel(run, panel, servers, shown, p * PANEL_W, LEGEND_H));
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

function renderPanel(
  run: BenchRun,
  panel: Panel,
  servers: readonly string[],
  streams: readonly number[],
  x0: number,
  y0: number,
): string {
  const plotW = PANEL_W - MARGIN.left - MARGIN.right;
  const plotH = PANEL_H - MARGIN.top - MARGIN.bottom;
  const left = x0 + MARGIN.left;
  const top = y0 + MARGIN.top;
  const values = run.results
    .filter((r) => streams.includes(r.streams))
    .map(panel.value)
    .filter((v) => Number.isFinite(v) && v > 0);
  const scale = panel.log === true ? logScale(values) : linearScale(values);
  const out: string[] = [
    `<text x="${x0 + PANEL_W / 2}" y="${y0 + 16}" text-anchor="middle" font-weight="bold">${xml(panel.title)}</text>`,
  ];
  for (const v of scale.ticks) {
    const y = top + plotH - plotH * scale.at(v);
    out.push(
      `<line x1="${left}" x2="${left + plotW}" y1="${y}" y2="${y}" stroke="#d0d7de" stroke-width="${v === scale.ticks[0] ? 1 : 0.5}"/>`,
      `<text x="${left - 6}" y="${y + 4}" text-anchor="end" fill="#57606a">${tick(v)}</text>`,
    );
  }
  const groupW = plotW / Math.max(1, streams.length);
  const barW = Math.min(18, (groupW * 0.8) / Math.max(1, servers.length));
  streams.forEach((count, g) => {
    const cx = left + groupW * (g + 0.5);
    out.push(
      `<text x="${cx}" y="${top + plotH + 16}" text-anchor="middle">${count.toLocaleString("en-US")}</text>`,
    );
    servers.forEach((server, s) => {
      const r = run.results.find((c) => c.server === server && c.streams === count);
      const x = cx - (barW * servers.length) / 2 + s * barW;
      if (r === undefined) return;
      const v = panel.value(r);
      const h = Math.max(1, plotH * scale.at(v));
      out.push(
        `<rect x="${x.toFixed(1)}" y="${(top + plotH - h).toFixed(1)}" width="${(barW - 1).toFixed(1)}" ` +
          `height="${h.toFixed(1)}" fill="${colour(servers.indexOf(server))}"><title>${xml(r.label)}, ` +
          `${count} streams: ${tick(v)}${panel.unit === "" ? "" : ` ${panel.unit}`}</title></rect>`,
      );
    });
  });
  out.push(
    `<text x="${left + plotW / 2}" y="${top + plotH + 32}" text-anchor="middle" fill="#57606a">concurrent streams</text>`,
  );
  return out.join("\n");
}

function colour(index: number): string {
  return COLOURS[index % COLOURS.length] as string;
}

interface Scale {
  /** Where a value sits, from 0 (bottom) to 1 (top). */
  readonly at: (value: number) => number;
  readonly ticks: readonly number[];
}

function linearScale(values: readonly number[]): Scale {
  const max = niceMax(Math.max(1e-9, ...values));
  return {
    at: (v) => Math.max(0, Math.min(1, v / max)),
    ticks: [0, 1, 2, 3, 4].map((t) => (max * t) / 4),
  };
}

/** Powers of ten around the values. */
function logScale(values: readonly number[]): Scale {
  const low = 10 ** Math.floor(Math.log10(Math.max(1e-9, Math.min(...values))));
  const high = 10 ** Math.ceil(Math.log10(Math.max(low * 10, ...values)));
  const span = Math.log10(high / low);
  const ticks: number[] = [];
  for (let t = low; t <= high * 1.0001; t *= 10) ticks.push(t);
  return { at: (v) => Math.max(0, Math.min(1, Math.log10(Math.max(v, low) / low) / span)), ticks };
}

function niceMax(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) {
    if (step * magnitude >= value) return step * magnitude;
  }
  return 10 * magnitude;
}

function tick(value: number): string {
  if (value >= 1e6) return `${+(value / 1e6).toFixed(1)}M`;
  if (value >= 1e3) return `${+(value / 1e3).toFixed(1)}k`;
  return `${+value.toFixed(1)}`;
}

function xml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
