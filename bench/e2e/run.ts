/**
 * End-to-end streaming bench: our SSE and gRPC streams against a hand-written
 * node:http SSE writer, better-sse and Socket.IO, in the same run. Each case
 * runs the server and the load generator as two fresh processes.
 *
 *   npm run bench:e2e                          # the full matrix (about 10 minutes)
 *   npm run bench:e2e -- --quick               # 100, 1000 and 5000 streams, shorter phases
 *   npm run bench:e2e -- --servers ours-sse,raw-sse --streams 5000
 *   npm run bench:e2e -- --servers ours-sse --streams 5000 --cpu-prof
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { runMatrix } from "./orchestrator/matrix.js";
import type { BenchRun, CaseSettings } from "./orchestrator/run-case.js";
import { SERVERS, type ServerSpec, serverByName } from "./orchestrator/servers.js";
import { renderChart } from "./report/chart.js";
import { updateReadme } from "./report/readme.js";
import { renderResultsMarkdown } from "./report/table.js";

const USAGE = `usage: npm run bench:e2e -- [options]
  --servers <list>       ${SERVERS.map((s) => s.name).join(",")} (default: all that can run)
  --streams <list>       concurrent streams per case (default 100,1000,5000,10000)
  --quick                streams 100,1000,5000; 4 s at the fixed rate, 2 s flat out
  --rate <n>             messages/s of the fixed-rate phase (default 10)
  --rate-seconds <n>     length of the fixed-rate phase (default 10)
  --max-seconds <n>      length of the flat-out phase (default 5)
  --window <n>           messages in flight in the flat-out phase (default 8)
  --text-bytes <n>       message text size (default 200)
  --concurrency <n>      connections being opened at once (default 256)
  --grpc-streams-per-connection <n>   (default 1: one HTTP/2 connection per stream)
  --no-pin               let the OS place the server and the generator (default: server on CPU 0, generator on CPU 1)
  --cpu-prof             profile the servers (.cpuprofile files in bench/results/profiles)
  --server-node-args <flags>   extra node flags for the servers, e.g. "--max-semi-space-size=64"
  --cpu-prof-generator   profile the load generator (bench/results/profiles/generator)
  --out <prefix>         result files prefix (default bench/results/e2e, or e2e-partial for a subset)
  --repeat <n>           passes over the matrix; each case reports its median pass (default 1)
  --retries <n>          run a case again (up to n times) if other processes took CPU during it (default 2)
  --wait-quiet           before each case, wait until other processes use under 15% of a core
  --readme               rewrite the results section of bench/README.md
  --render <json>        measure nothing: render the table and chart of a saved run (with --out, --readme)
  --help`;

const DEFAULT_STREAMS = "100,1000,5000,10000";

function parseSettings(argv: readonly string[]) {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      servers: { type: "string" },
      streams: { type: "string" },
      quick: { type: "boolean", default: false },
      rate: { type: "string", default: "10" },
      "rate-seconds": { type: "string" },
      "max-seconds": { type: "string" },
      window: { type: "string", default: "8" },
      "text-bytes": { type: "string", default: "200" },
      concurrency: { type: "string", default: "256" },
      "grpc-streams-per-connection": { type: "string", default: "1" },
      "cpu-prof": { type: "boolean", default: false },
      "no-pin": { type: "boolean", default: false },
      "cpu-prof-generator": { type: "boolean", default: false },
      "server-node-args": { type: "string", default: "" },
      out: { type: "string" },
      readme: { type: "boolean", default: false },
      render: { type: "string" },
      "wait-quiet": { type: "boolean", default: false },
      retries: { type: "string", default: "2" },
      repeat: { type: "string", default: "1" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const positive = (name: string, text: string): number => {
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0)
      throw new Error(`Expected --${name} to be a positive number, got "${text}"`);
    return n;
  };
  const servers: ServerSpec[] =
    values.servers === undefined
      ? SERVERS.filter((spec) => spec.unavailable?.() === undefined)
      : values.servers.split(",").map(serverByName);
  for (const spec of SERVERS) {
    const reason = spec.unavailable?.();
    if (reason !== undefined) console.warn(`-- skipping ${spec.name}: ${reason}`);
  }
  const streams = (values.streams ?? (values.quick ? "100,1000,5000" : DEFAULT_STREAMS))
    .split(",")
    .map((text) => positive("streams", text));
  const full = values.servers === undefined && values.streams === undefined && !values.quick;
  const caseSettings: CaseSettings = {
    rate: positive("rate", values.rate),
    rateMs: 1000 * positive("rate-seconds", values["rate-seconds"] ?? (values.quick ? "4" : "10")),
    maxMs: 1000 * positive("max-seconds", values["max-seconds"] ?? (values.quick ? "2" : "5")),
    window: positive("window", values.window),
    textBytes: positive("text-bytes", values["text-bytes"]),
    concurrency: positive("concurrency", values.concurrency),
    drainTimeoutMs: 5_000,
    grpcStreamsPerConnection: positive("grpc-streams-per-connection", values["grpc-streams-per-connection"]),
    pin: !values["no-pin"],
    generatorNodeArgs: values["cpu-prof-generator"]
      ? ["--cpu-prof", "--cpu-prof-dir=bench/results/profiles/generator"]
      : [],
    serverNodeArgs: [
      ...values["server-node-args"].split(" ").filter((flag) => flag !== ""),
      ...(values["cpu-prof"] ? ["--cpu-prof", "--cpu-prof-dir=bench/results/profiles"] : []),
    ],
  };
  const out = values.out ?? (full ? "bench/results/e2e" : "bench/results/e2e-partial");
  return {
    servers,
    streams,
    caseSettings,
    out,
    readme: values.readme,
    quick: values.quick,
    waitQuiet: values["wait-quiet"],
    render: values.render,
    retries: Math.floor(Number(values.retries)),
    repeat: Math.max(1, Math.floor(positive("repeat", values.repeat))),
  };
}

/** The commit of the tree measured, and whether src/ differs from it. */
function sourceVersion(): { commit: string; dirty: boolean } {
  const git = (...args: string[]): string => {
    try {
      return execFileSync("git", args, { encoding: "utf8" }).trim();
    } catch {
      return "";
    }
  };
  return {
    commit: git("rev-parse", "--short", "HEAD") || "unknown",
    dirty: git("status", "--porcelain", "src") !== "",
  };
}

const settings = parseSettings(process.argv.slice(2));
mkdirSync("bench/results", { recursive: true });
const run: BenchRun =
  settings.render === undefined
    ? await measure()
    : (JSON.parse(readFileSync(settings.render, "utf8")) as BenchRun);
if (settings.render === undefined) writeFileSync(`${settings.out}.json`, `${JSON.stringify(run, null, 2)}\n`);
const markdown = renderResultsMarkdown(run);
writeFileSync(`${settings.out}.md`, markdown);
writeFileSync(`${settings.out}.svg`, renderChart(run));
console.log(
  `\nwrote ${settings.out}.md and ${settings.out}.svg${settings.render === undefined ? ` (figures in ${settings.out}.json)` : ""}`,
);
if (settings.readme) {
  updateReadme("bench/README.md", markdown, `${settings.out}.svg`);
  console.log("updated bench/README.md");
}

async function measure(): Promise<BenchRun> {
  const started = new Date();
  const source = sourceVersion();
  console.log(
    `e2e bench: ${settings.servers.map((s) => s.name).join(", ")} x ${settings.streams.join(", ")} streams ` +
      `(${cpus().length} cores, node ${process.version})`,
  );
  const { results, failures } = await runMatrix(settings);
  for (const spec of settings.servers) await spec.cleanup?.();
  return {
    started: started.toISOString(),
    finished: new Date().toISOString(),
    machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? "?", node: process.version },
    source,
    settings: {
      ...settings.caseSettings,
      servers: settings.servers.map((s) => s.name),
      streams: settings.streams,
      repeat: settings.repeat,
    },
    results,
    failures,
  };
}
