import { readFileSync, writeFileSync } from "node:fs";
import { relative } from "node:path";

const START = "<!-- e2e-results:start (written by npm run bench:e2e -- --readme) -->";
const END = "<!-- e2e-results:end -->";

/** Replaces the generated results section of a README (between its markers) with the new table and chart. */
export function updateReadme(readmePath: string, markdown: string, chartPath: string): void {
  const readme = readFileSync(readmePath, "utf8");
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start === -1 || end < start) throw new Error(`${readmePath} has no ${START} ... ${END} section`);
  const chart = relative("bench", chartPath);
  const section = `${START}\n\n![Deliveries per second, p99 latency and memory per stream](${chart})\n\n${markdown}\n${END}`;
  writeFileSync(readmePath, readme.slice(0, start) + section + readme.slice(end + END.length));
}
