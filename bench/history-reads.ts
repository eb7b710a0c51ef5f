/**
 * History reads per second from each store in one run: the page a history
 * request or a room page asks for (the latest 50 messages) and the read a
 * resuming stream makes (the 50 after a cursor), from a room holding 1,000
 * messages of 200 bytes. One read at a time gives the latency a client
 * waits; `--concurrency` reads in flight give the throughput. The Redis
 * store's figures bound what a recent-history cache in Redis could give the
 * PostgreSQL store: its reads are one Lua call on the same Redis.
 *
 *   npm run bench:reads
 *   npm run bench:reads -- --stores redis,postgres --seconds 5
 */
import type { HistoryQuery, RoomStore } from "../src/rooms/index.js";
import { BENCH_URLS, median, openStore, parseBenchArgs, STORE_NAMES, type StoreName } from "./stores.js";

const USAGE = `usage: npm run bench:reads -- [options]
  --stores <list>        ${STORE_NAMES} (default all; memory is the baseline)
  --seconds <n>          length of each measured run (default 2)
  --concurrency <n>      reads in flight in the throughput runs (default 32)
  --runs <n>             measured runs per case; the median is reported (default 3)
  --redis <url>          (default ${BENCH_URLS.redis})
  --postgres <url>       (default ${BENCH_URLS.postgres})
  --help`;

const { stores, seconds, concurrency, runs, urls } = parseBenchArgs(USAGE, 2);
const MESSAGES = 1_000;
const PAGE = 50;

const READS: Record<string, HistoryQuery> = {
  "50 after a cursor": { afterOffset: MESSAGES - PAGE, limit: PAGE },
  "latest 50": { latest: true, limit: PAGE },
};

/** Reads for `seconds` with `inFlight` reads at a time; returns reads/s and the median latency in ms. */
async function measure(store: RoomStore, query: HistoryQuery, inFlight: number) {
  const deadline = performance.now() + seconds * 1000;
  const latencies: number[] = [];
  const worker = async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      const slice = await store.read("bench", query);
      if (slice?.messages.length !== PAGE) throw new Error(`read ${slice?.messages.length} messages`);
      latencies.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { rate: latencies.length / ((performance.now() - started) / 1000), p50: median(latencies) };
}

interface Row {
  store: StoreName;
  read: string;
  p50: number;
  rate: number;
}
const results: Row[] = [];
for (const name of stores) {
  const backend = await openStore(name, urls);
  try {
    await backend.store.ensureRoom("bench");
    for (let i = 0; i < MESSAGES; i++) {
      await backend.store.append({
        roomId: "bench",
        userId: "bench",
        text: "x".repeat(200),
        sentAt: new Date().toISOString(),
      });
    }
    for (const [read, query] of Object.entries(READS)) {
      const p50s: number[] = [];
      const rates: number[] = [];
      // The first run warms up the JIT and the connections; it is not reported.
      for (let run = 0; run <= runs; run++) {
        const alone = await measure(backend.store, query, 1);
        const loaded = await measure(backend.store, query, concurrency);
        if (run === 0) continue;
        p50s.push(alone.p50);
        rates.push(loaded.rate);
      }
      results.push({ store: name, read, p50: median(p50s), rate: median(rates) });
      console.error(
        `${name}, ${read}: ${median(p50s).toFixed(3)} ms alone, ${Math.round(median(rates))} reads/s`,
      );
    }
  } finally {
    await backend.drop();
  }
}

console.log(
  `\n| store | read | latency alone (p50) | reads/s, ${concurrency} in flight | vs memory |\n|---|---|---:|---:|---:|`,
);
for (const { store, read, p50, rate } of results) {
  const baseline = results.find((r) => r.store === "memory" && r.read === read)?.rate;
  const ratio = baseline === undefined ? "" : `${(rate / baseline).toFixed(3)}x`;
  console.log(
    `| ${store} | ${read} | ${p50.toFixed(2)} ms | ${Math.round(rate).toLocaleString("en-US")} | ${ratio} |`,
  );
}
console.log(
  `\n${MESSAGES} messages of 200 bytes, ${seconds} s runs, median of ${runs}; node ${process.version}.`,
);
