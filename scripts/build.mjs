// Builds dist/ from src/: TypeScript through tsc, then the files tsc does not
// copy (eta views, the HTML page's own script and stylesheet).
import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";

const root = new URL("../", import.meta.url);
const dist = new URL("dist/", root);
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });

const ASSET = /\.(eta|css|js|svg|ico)$/;
cpSync(new URL("src/", root), dist, {
  recursive: true,
  filter: (source) => statSync(source).isDirectory() || ASSET.test(source),
});

// The package's bin: `npx chat-server` in the checkout runs it directly.
chmodSync(new URL("cmd/main.js", dist), 0o755);
