/**
 * Fan-out throughput of the Broadcaster against two baselines measured in the
 * same run: a plain EventEmitter with synchronous listeners, and a naive
 * async-iterator broadcaster. Values are submitted in bursts below the queue
 * size, and each burst is fully consumed before the next, so no queue ever
 * overflows and every case measures delivery, not dropping. `--steady` is the
 * chat case instead: one value per event-loop turn, each consumed before the
 * next, so nothing is shared between values.
 *
 * Rates are deliveries (values x subscribers) per second of process CPU time,
 * which stays meaningful when other jobs share the machine; wall-clock rates
 * are printed beside them. Ratios use the CPU-time rates.
 *
 * Each case runs in a fresh child process, one after another: in one shared
 * process the driver's call sites turn megamorphic and heap state carries
 * over, which skews whichever cases run last (`--in-process` to compare).
 *
 *   npm run bench
 *   npm run bench -- --subscribers 10000 --impl emitter,batch --deliveries 5e6 --runs 1
 */
import { execFile } from "node:child_process";
import { availableParallelism } from "node:os";
import { parseArgs, promisify } from "node:util";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { BurstTracker, createFanout, IMPLEMENTATIONS, type ImplName } from "./fanout-cases.js";

const USAGE = `usage: npm run bench -- [options]
  --subscribers <list>   subscriber counts (default 1,100,10000)
  --impl <list>          emitter,naive,for-await,batch,sink (default all; emitter and naive are the baselines)
  --deliveries <n>       deliveries (values x subscribers) per measured run (default 20e6)
  --burst <n>            values per burst, below the queue size of 1024 (default 64)
  --steady               one value per event-loop turn (the steady chat case; sets --burst 1)
  --runs <n>             measured runs per case; the median is reported (default 3)
  --in-process           run every case in this process instead of one child process per case
  --help`;

const IMPL_ORDER: readonly ImplName[] = ["emitter", "naive", "for-await", "batch", "sink"];

interface Settings {
  readonly subscribers: readonly number[];
  readonly impls: readonly ImplName[];
  readonly deliveries: number;
  readonly burst: number;
  /** One value per event-loop turn. */
  readonly steady: boolean;
  readonly runs: number;
  readonly inProcess: boolean;
  /** Set in a child process: the one case it measures. */
  readonly child: boolean;
}

interface Result {
  readonly impl: ImplName;
  readonly subscribers: number;
  /** Median deliveries per second of process CPU time over the measured runs. */
  readonly rate: number;
  /** Median deliveries per wall-clock second. */
  readonly wallRate: number;
}

interface Timing {
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
}

function parseSettings(argv: readonly string[]): Settings {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      subscribers: { type: "string", default: "1,100,10000" },
      impl: { type: "string", default: IMPL_ORDER.join(",") },
      deliveries: { type: "string", default: "20e6" },
      burst: { type: "string", default: "64" },
      steady: { type: "boolean", default: false },
      runs: { type: "string", default: "3" },
      "in-process": { type: "boolean", default: false },
      child: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const positive = (name: string, text: string): number => {
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 1)
      throw new Error(`Expected \`--${name}\` to be a positive integer, got \`${text}\``);
    return n;
  };
  const impls = values.impl.split(",").map((name) => {
    if (!(name in IMPLEMENTATIONS))
      throw new Error(`Unknown --impl \`${name}\`; expected ${IMPL_ORDER.join(", ")}`);
    return name as ImplName;
  });
  const burst = values.steady ? 1 : positive("burst", values.burst);
  if (burst > 1024)
    throw new Error(`Expected \`--burst\` to be at most the queue size 1024, got \`${burst}\``);
  return {
    subscribers: values.subscribers.split(",").map((text) => positive("subscribers", text)),
    impls: IMPL_ORDER.filter((name) => impls.includes(name)),
    deliveries: positive("deliveries", values.deliveries),
    burst,
    steady: values.steady,
    runs: positive("runs", values.runs),
    inProcess: values["in-process"],
    child: values.child,
  };
}

/** A full GC between runs, so one case's garbage is not collected on another's clock. */
const gc: () => void = (() => {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
})();

/** Submits `values` values in bursts to `subscribers` consumers and times it. */
async function runOnce(
  impl: ImplName,
  subscribers: number,
  values: number,
  settings: Settings,
): Promise<Timing> {
  const { burst, steady } = settings;
  const tracker = new BurstTracker();
  const fanout = createFanout(impl, subscribers, tracker);
  // Let every consumer loop reach its first wait before the clock starts.
  await new Promise((resolve) => setImmediate(resolve));
  let expectedSink = 0;
  const cpuStarted = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let sent = 0; sent < values; ) {
    const count = Math.min(burst, values - sent);
    const consumed = tracker.expect(count * subscribers);
    for (const end = sent + count; sent < end; sent++) {
      const value = sent & 1023;
      expectedSink += value;
      fanout.submit(value);
    }
    await consumed;
    if (steady) await new Promise((resolve) => setImmediate(resolve));
  }
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuStarted);
  await fanout.close();
  if (tracker.sink !== expectedSink * subscribers) {
    throw new Error(
      `${impl} x ${subscribers}: consumers summed ${tracker.sink}, expected ${expectedSink * subscribers}`,
    );
  }
  return { wallSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

function median(values: number[]): number {
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)] as number;
}

async function measure(impl: ImplName, subscribers: number, settings: Settings): Promise<Result> {
  const values = Math.max(
    settings.burst,
    Math.round(settings.deliveries / subscribers / settings.burst) * settings.burst,
  );
  // Warm-up: a tenth of a run, so the JIT has seen this case before the clock runs.
  gc();
  await runOnce(impl, subscribers, Math.max(settings.burst, Math.round(values / 10)), settings);
  const rates: number[] = [];
  const wallRates: number[] = [];
  for (let run = 0; run < settings.runs; run++) {
    gc();
    const { wallSeconds, cpuSeconds } = await runOnce(impl, subscribers, values, settings);
    rates.push((values * subscribers) / cpuSeconds);
    wallRates.push((values * subscribers) / wallSeconds);
  }
  return { impl, subscribers, rate: median(rates), wallRate: median(wallRates) };
}

function formatRate(rate: number): string {
  return `${(rate / 1e6).toFixed(1)} M/s`;
}

function formatRatio(rate: number, baseline: number | undefined): string {
  return baseline === undefined ? "-" : `${(rate / baseline).toFixed(2)}x`;
}

function printTable(results: readonly Result[]): void {
  const header = [
    "subscribers",
    "implementation",
    "deliveries/cpu-s",
    "(wall)",
    "vs EventEmitter",
    "vs naive",
  ];
  const rows = results.map((r) => {
    const baseline = (impl: ImplName) =>
      results.find((x) => x.subscribers === r.subscribers && x.impl === impl)?.rate;
    return [
      String(r.subscribers),
      IMPLEMENTATIONS[r.impl],
      formatRate(r.rate),
      formatRate(r.wallRate),
      formatRatio(r.rate, baseline("emitter")),
      formatRatio(r.rate, baseline("naive")),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i < 2 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number)))
      .join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(line(row));
}

/** The aims (spec and issue 14), checked where both sides were measured. */
function printTargets(results: readonly Result[]): void {
  const at = (impl: ImplName) => results.find((r) => r.subscribers === 10_000 && r.impl === impl)?.rate;
  const emitter = at("emitter");
  const naive = at("naive");
  // [implementation, least ratio to EventEmitter, least ratio to the naive iterator]
  const checks: [ImplName, number, number][] = [
    ["for-await", 0.25, 1],
    ["batch", 0.5, 1],
    ["sink", 0.5, 2],
  ];
  for (const [impl, toEmitter, toNaive] of checks) {
    const rate = at(impl);
    if (rate === undefined) continue;
    const parts: string[] = [];
    if (emitter !== undefined)
      parts.push(`${rate / emitter >= toEmitter ? "met" : "MISSED"} (>= ${toEmitter}x EventEmitter)`);
    if (naive !== undefined)
      parts.push(`${rate / naive >= toNaive ? "met" : "MISSED"} (>= ${toNaive}x naive)`);
    if (parts.length > 0)
      console.log(`target at 10,000 subscribers, ${IMPLEMENTATIONS[impl]}: ${parts.join(", ")}`);
  }
}

/** Measures one case in a fresh process running this same script; it answers with one JSON line. */
async function measureInChild(impl: ImplName, subscribers: number, settings: Settings): Promise<Result> {
  const args = [
    ...process.execArgv,
    process.argv[1] as string,
    "--child",
    `--impl=${impl}`,
    `--subscribers=${subscribers}`,
    `--deliveries=${settings.deliveries}`,
    `--burst=${settings.burst}`,
    `--runs=${settings.runs}`,
    ...(settings.steady ? ["--steady"] : []),
  ];
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 1024 * 1024 });
  return JSON.parse(stdout) as Result;
}

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2));
  if (settings.child) {
    const [impl] = settings.impls;
    const [subscribers] = settings.subscribers;
    if (impl === undefined || subscribers === undefined)
      throw new Error("--child needs one --impl and one --subscribers");
    console.log(JSON.stringify(await measure(impl, subscribers, settings)));
    return;
  }
  console.log(
    `broadcast fan-out: ${settings.steady ? "steady, one value per event-loop turn" : `burst ${settings.burst}`}, ~${(settings.deliveries / 1e6).toFixed(0)}M deliveries per run, ` +
      `median of ${settings.runs}, ${settings.inProcess ? "all cases in one process" : "one process per case"} ` +
      `(node ${process.version}, ${availableParallelism()} CPUs)`,
  );
  const results: Result[] = [];
  for (const subscribers of settings.subscribers) {
    for (const impl of settings.impls) {
      const result = settings.inProcess
        ? await measure(impl, subscribers, settings)
        : await measureInChild(impl, subscribers, settings);
      results.push(result);
      process.stderr.write(`  ${subscribers} x ${impl}: ${formatRate(result.rate)}\n`);
    }
  }
  console.log();
  printTable(results);
  printTargets(results);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
