import { cpus } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { formatCaseLine } from "../report/table.js";
import { machineBusyPct } from "../shared/proc-stats.js";
import { type CaseResult, type CaseSettings, runCase } from "./run-case.js";
import type { ServerSpec } from "./servers.js";

export interface MatrixOptions {
  readonly servers: readonly ServerSpec[];
  readonly streams: readonly number[];
  readonly caseSettings: CaseSettings;
  /** Runs of a case again when other processes took CPU during it. */
  readonly retries: number;
  /** Wait for a quiet machine before each case. */
  readonly waitQuiet: boolean;
  /** Passes over the whole matrix; each case reports its median pass. */
  readonly repeat: number;
}

export interface MatrixFailure {
  readonly server: string;
  readonly streams: number;
  readonly error: string;
}

/** Other processes may use this much CPU (% of one core) before a case counts as disturbed. */
const QUIET_PCT = 15;

/**
 * Runs every server at every stream count, `repeat` times over. Streams are
 * the outer loop: every server is measured at one size close together in
 * time. With several passes, each case reports the pass with the median
 * flat-out throughput, and the spread of all passes.
 */
export async function runMatrix(
  options: MatrixOptions,
): Promise<{ results: CaseResult[]; failures: MatrixFailure[] }> {
  const passes = new Map<string, CaseResult[]>();
  const failures: MatrixFailure[] = [];
  for (let pass = 1; pass <= options.repeat; pass++) {
    if (options.repeat > 1) console.log(`-- pass ${pass} of ${options.repeat}`);
    for (const streams of options.streams) {
      for (const spec of options.servers) {
        try {
          const result = await runQuietCase(spec, streams, options);
          const key = `${spec.name}/${streams}`;
          passes.set(key, [...(passes.get(key) ?? []), result]);
        } catch (error) {
          const message = String((error as Error)?.message ?? error);
          failures.push({ server: spec.name, streams, error: message });
          console.log(`${spec.name.padEnd(15)} ${String(streams).padStart(6)}  FAILED: ${message}`);
        }
      }
    }
  }
  return { results: [...passes.values()].map(median), failures };
}

/** The pass with the median flat-out throughput, with the spread of every pass. */
function median(results: readonly CaseResult[]): CaseResult {
  const sorted = [...results].sort((a, b) => a.max.deliveriesPerSec - b.max.deliveriesPerSec);
  const chosen = sorted[Math.floor((sorted.length - 1) / 2)] as CaseResult;
  if (results.length === 1) return chosen;
  const range = (value: (r: CaseResult) => number) => ({
    min: Math.min(...results.map(value)),
    max: Math.max(...results.map(value)),
  });
  return {
    ...chosen,
    passes: {
      count: results.length,
      deliveriesPerSec: range((r) => r.max.deliveriesPerSec),
      p99Ms: range((r) => r.rate.latencyMs.p99),
    },
  };
}

/**
 * Runs a case; if other processes took CPU during it (this machine may be
 * shared), runs it again, up to `retries` times, and keeps the quietest attempt.
 */
async function runQuietCase(spec: ServerSpec, streams: number, options: MatrixOptions): Promise<CaseResult> {
  let best: CaseResult | undefined;
  for (let attempt = 0; attempt <= options.retries; attempt++) {
    const background = await quietMachine(options.waitQuiet || attempt > 0);
    const result = await runCase(spec, streams, options.caseSettings, background);
    console.log(formatCaseLine(result));
    if (best === undefined || noiseOf(result) < noiseOf(best)) best = result;
    if (noiseOf(result) < QUIET_PCT) break;
    if (attempt < options.retries)
      console.log(`-- other processes took ${Math.round(noiseOf(result))}%: again`);
  }
  return best as CaseResult;
}

/** What other processes took while the case was measured (before it, the previous case may still be ending). */
function noiseOf(result: CaseResult): number {
  return Math.max(result.rate.otherCpuPct, result.max.otherCpuPct);
}

/** Measures what other processes use; with `wait`, waits (up to 10 minutes) until it is below QUIET_PCT. */
async function quietMachine(wait: boolean): Promise<number> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    const busy = await machineBusyPct(1_000, cpus().length);
    if (busy < QUIET_PCT || !wait || Date.now() > deadline) {
      if (busy >= QUIET_PCT) console.warn(`-- other processes use ${Math.round(busy)}% of a core`);
      return busy;
    }
    await sleep(5_000);
  }
}
