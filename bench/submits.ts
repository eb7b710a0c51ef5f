/**
 * Accepted submits per second through `RoomManager.submit`, for each store in
 * one run: the in-memory default (the baseline), Redis, PostgreSQL, and
 * PostgreSQL with its events over Redis. Two
 * shapes: every submit into one room (the room's lock or script serialises
 * them), and submits spread over 100 rooms. A fixed number of submits is kept
 * in flight, as many clients posting at once would; each store starts on a
 * fresh namespace (key prefix, schema) that is dropped afterwards.
 *
 * Rates are accepted submits per wall-clock second (the store's own
 * process, Redis or Postgres, does part of the work, so process CPU time
 * would flatter them). The median of `--runs` runs is reported with its ratio
 * to the in-memory store.
 *
 *   npm run bench:submits
 *   npm run bench:submits -- --seconds 5 --concurrency 64 --stores memory,postgres
 */
import { RoomManager } from "../src/rooms/index.js";
import { median, openStore, parseBenchArgs, type StoreName } from "./stores.js";

const USAGE = `usage: npm run bench:submits -- [options]
  --stores <list>        memory,redis,postgres,postgres+redis (default all; memory is the baseline)
  --seconds <n>          length of each measured run (default 3)
  --concurrency <n>      submits in flight (default 32)
  --runs <n>             measured runs per case; the median is reported (default 3)
  --redis <url>          (default redis://127.0.0.1:6379)
  --postgres <url>       (default postgres://postgres@127.0.0.1:5432/test)
  --help`;

const { stores, seconds, concurrency, runs, urls } = parseBenchArgs(USAGE, 3);

/** Submits for `seconds` with `concurrency` in flight; returns accepted submits per second. */
async function measure(rooms: RoomManager, roomCount: number): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  let accepted = 0;
  let next = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      const roomId = `r${next++ % roomCount}`;
      await rooms.submit({ roomId, userId: "bench", text: "x".repeat(200) });
      accepted++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return accepted / ((performance.now() - started) / 1000);
}

const results: { store: StoreName; rooms: number; rate: number }[] = [];
for (const roomCount of [1, 100]) {
  for (const name of stores) {
    const rates: number[] = [];
    for (let run = 0; run <= runs; run++) {
      const backend = await openStore(name, urls);
      const rooms = new RoomManager({ store: backend.store });
      try {
        const rate = await measure(rooms, roomCount);
        // The first run warms up the JIT and the connections; it is not reported.
        if (run > 0) rates.push(rate);
      } finally {
        await rooms.close();
        await backend.drop();
      }
    }
    results.push({ store: name, rooms: roomCount, rate: median(rates) });
    console.error(`${name} x ${roomCount} room(s): ${Math.round(median(rates))} submits/s`);
  }
}

console.log(`\n| store | rooms | accepted submits/s | vs memory |\n|---|---:|---:|---:|`);
for (const { store, rooms, rate } of results) {
  const baseline = results.find((r) => r.store === "memory" && r.rooms === rooms)?.rate;
  const ratio = baseline === undefined ? "" : `${(rate / baseline).toFixed(3)}x`;
  console.log(`| ${store} | ${rooms} | ${Math.round(rate).toLocaleString("en-US")} | ${ratio} |`);
}
console.log(
  `\n${concurrency} submits in flight, ${seconds} s runs, median of ${runs}; node ${process.version}.`,
);
