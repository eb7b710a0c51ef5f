/**
 * Summarises a V8 .cpuprofile (from `--cpu-prof`): self time by function and
 * by file, heaviest first.
 *
 *   npx tsx bench/e2e/report/profile-summary.ts bench/results/profiles/<file>.cpuprofile [top]
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const [path, topText] = process.argv.slice(2);
if (path === undefined) {
  console.error("usage: tsx bench/e2e/report/profile-summary.ts <file.cpuprofile> [top]");
  process.exit(2);
}
const top = Number(topText ?? 30);
const profile = JSON.parse(readFileSync(path, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});

const shortUrl = (url: string): string =>
  url
    .replace(/^file:\/\/.*?\/node_modules\//, "npm:")
    .replace(/^file:\/\/.*?\/(src|bench)\//, "$1/")
    .replace(/^node:/, "node:");
const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
let total = 0;
for (const [id, us] of selfUs) {
  const frame = (byId.get(id) as ProfileNode).callFrame;
  const file = frame.url === "" ? "(native/vm)" : shortUrl(frame.url);
  const name = `${frame.functionName || "(anonymous)"}  ${file}:${frame.lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  byFile.set(file, (byFile.get(file) ?? 0) + us);
  total += us;
}
const print = (title: string, table: Map<string, number>): void => {
  console.log(`\n${title} (total ${(total / 1e6).toFixed(2)} s)`);
  for (const [name, us] of [...table].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(
      `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1e3).toFixed(0).padStart(7)} ms  ${name}`,
    );
  }
};
print("self time by function", byFunction);
print("self time by file", byFile);
