/**
 * The README's quick start: `npm start` on a checkout that was never built,
 * and its `npx chat-server …` lines, run as written by a shell in the
 * checkout, against a server on a free port (CHAT_URL, the variable the
 * client flags read).
 */
import { execFile, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { killedAtDispose, startServe } from "../helpers/cli.js";
import { Disposer } from "../helpers/disposer.js";

const run = promisify(execFile);
const root = new URL("../../", import.meta.url);
const readme = readFileSync(new URL("README.md", root), "utf8");
const disposer = new Disposer();
afterEach(() => disposer.dispose());

/** The `npx chat-server` lines of the first `sh` block after "Then open". */
function quickStartCommands(): string[] {
  const after = readme.slice(readme.indexOf("Then open"));
  const block = /```sh\n([\s\S]*?)```/.exec(after)?.[1] ?? "";
  return block.split("\n").filter((line) => line.startsWith("npx chat-server "));
}

/** The files of a fresh clone that `npm start` needs (no dist/), with this checkout's node_modules. */
function unbuiltCopy(): string {
  const copy = mkdtempSync(join(tmpdir(), "chat-server-clone-"));
  disposer.defer(() => rmSync(copy, { recursive: true, force: true }));
  for (const entry of ["package.json", "tsconfig.json", "tsconfig.build.json", "scripts", "src", "proto"])
    cpSync(fileURLToPath(new URL(entry, root)), join(copy, entry), { recursive: true });
  symlinkSync(fileURLToPath(new URL("node_modules", root)), join(copy, "node_modules"));
  return copy;
}

describe("README quick start", () => {
  it("`npm start` builds first, so it serves every adapter on a checkout that was never built", {
    timeout: 120_000,
  }, async () => {
    expect(readme).toContain("npm ci && npm start ");
    const copy = unbuiltCopy();
    const started = spawn("npm", ["start", "--", "--http-port", "0", "--grpc-port", "0"], {
      cwd: copy,
      env: { ...process.env, CHAT_LOG_LEVEL: "warn" },
      detached: true,
    });
    // npm runs the server as its child: the whole group goes at the end.
    disposer.defer(() => {
      if (started.exitCode === null) process.kill(-(started.pid as number), "SIGKILL");
    });
    let printed = "";
    await new Promise<void>((resolve, reject) => {
      started.stdout.on("data", (chunk: Buffer) => {
        printed += chunk.toString();
        if (/^store /m.test(printed)) resolve();
      });
      started.on("exit", (code) => reject(new Error(`npm start exited with ${code}: ${printed}`)));
    });
    for (const adapter of ["rest", "html", "grpc", "ws"])
      expect(printed).toMatch(new RegExp(`^${adapter} `, "m"));
  });

  it("runs `npx chat-server send` and `tail` in the checkout as written", async () => {
    const [send, tail] = quickStartCommands();
    expect(send).toMatch(/^npx chat-server send lobby /);
    expect(tail).toMatch(/^npx chat-server tail lobby /);
    const server = killedAtDispose(disposer, await startServe(["--only", "rest"], 1));
    const env = { ...process.env, CHAT_URL: server.httpUrl as string };

    const tailing = spawn("sh", ["-c", `exec ${tail}`], { cwd: root, env });
    disposer.add(tailing, (child) => child.kill("SIGKILL"));
    let printed = "";
    let stderr = "";
    tailing.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const waiters: { text: string; resolve: () => void; reject: (error: Error) => void }[] = [];
    // A tail that exits (e.g. `chat-server: Permission denied`) fails the wait with what it said.
    let exited: Error | undefined;
    tailing.on("exit", (code) => {
      exited = new Error(`tail exited with ${code}: ${stderr}`);
      for (const waiter of waiters) waiter.reject(exited);
    });
    tailing.stdout.on("data", (chunk: Buffer) => {
      printed += chunk.toString();
      for (const waiter of waiters.filter((w) => printed.includes(w.text))) waiter.resolve();
    });
    const untilPrinted = (text: string) =>
      printed.includes(text)
        ? Promise.resolve()
        : exited !== undefined
          ? Promise.reject(exited)
          : new Promise<void>((resolve, reject) => waiters.push({ text, resolve, reject }));

    await untilPrinted("-- #lobby: here now: bob");
    const sent = await run("sh", ["-c", send as string], { cwd: root, env });
    expect(sent.stdout.trim()).toMatch(/^[0-9a-z]+-1$/);
    await untilPrinted("ann: hello from the terminal");
  });
});
