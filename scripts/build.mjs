// Builds dist/ from src/: TypeScript through tsc, then the files tsc does not
// copy (eta views, the HTML page's own script and stylesheet). The build goes
// to a folder of its own and replaces dist/ in two renames at the end, so a
// server running from dist/ (or a test) never finds it half-written. `npm
// start` runs it first (`prestart`), and so does `npm pack` (`prepack`).
import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, renameSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";

const root = new URL("../", import.meta.url);
const dist = new URL("dist/", root);
const next = new URL(`dist.next-${process.pid}/`, root);
const old = new URL(`dist.old-${process.pid}/`, root);
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

rmSync(next, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--outDir", next.pathname], {
  cwd: root,
  stdio: "inherit",
});

const ASSET = /\.(eta|css|js|svg|ico)$/;
cpSync(new URL("src/", root), next, {
  recursive: true,
  filter: (source) => statSync(source).isDirectory() || ASSET.test(source),
});

// The package's bin: `npx chat-server` in the checkout runs it directly.
chmodSync(new URL("cmd/main.js", next), 0o755);

try {
  renameSync(dist, old);
} catch (error) {
  if (error.code !== "ENOENT") throw error;
}
renameSync(next, dist);
rmSync(old, { recursive: true, force: true });
