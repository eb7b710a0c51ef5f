import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import type { Disposer } from "./disposer.js";

export const CLI = fileURLToPath(new URL("../../dist/cmd/main.js", import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built CLI to completion. */
export async function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const child = spawnCli(args, env);
  return finished(child);
}

/** A running CLI process whose output is collected as it comes. */
export interface LiveCli {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the stdout so far once `predicate` holds for it. */
  waitForStdout(predicate: (stdout: string) => boolean): Promise<string>;
  readonly exit: Promise<CliResult>;
}

/** Hands `cli` to the disposer, which SIGKILLs it if it still runs and waits for its exit. */
export function killedAtDispose<T extends LiveCli>(disposer: Disposer, cli: T): T {
  return disposer.add(cli, async (c) => {
    if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGKILL");
    await c.exit;
  });
}

export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): LiveCli {
  const child = spawnCli(args, env);
  let out = "";
  let err = "";
  const waiters: { predicate: (s: string) => boolean; resolve: (s: string) => void }[] = [];
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    for (const waiter of [...waiters]) {
      if (waiter.predicate(out)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(out);
      }
    }
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exit = finished(child, () => ({ stdout: out, stderr: err }));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exit,
    waitForStdout: (predicate) =>
      new Promise<string>((resolve, reject) => {
        if (predicate(out)) return resolve(out);
        waiters.push({ predicate, resolve });
        void exit.then((result) =>
          reject(
            new Error(
              `CLI exited (${result.code}) before the expected output.\nstdout: ${out}\nstderr: ${err}`,
            ),
          ),
        );
      }),
  };
}

function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, CHAT_LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

async function finished(
  child: ChildProcess,
  collected?: () => { stdout: string; stderr: string },
): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  if (collected === undefined) {
    child.stdout?.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr?.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
  }
  const [code, signal] = (await once(child, "close")) as [number | null, NodeJS.Signals | null];
  return { code, signal, ...(collected?.() ?? { stdout, stderr }) };
}

/** A port that was free a moment ago (for tests that must name ports up front). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts `serve` and resolves once every adapter printed where it listens. */
export async function startServe(
  args: readonly string[],
  adapters = 4,
  env: NodeJS.ProcessEnv = {},
): Promise<LiveCli & { httpUrl?: string; grpcAddress?: string }> {
  // Free ports unless the test sets them through the environment.
  const ports = [
    ...(env.CHAT_HTTP_PORT === undefined ? ["--http-port", "0"] : []),
    ...(env.CHAT_GRPC_PORT === undefined ? ["--grpc-port", "0"] : []),
  ];
  const cli = startCli(["serve", ...ports, ...args], env);
  const out = await cli.waitForStdout(
    (s) => s.split("\n").filter((l) => /^(rest|html|grpc|ws) /.test(l)).length >= adapters,
  );
  // `ws    ws://host:port/ws/:roomId` when only the WebSocket adapter is on the HTTP port.
  const wsHost = /^ws\s+wss?:\/\/(\S+?)\/ws\//m.exec(out)?.[1];
  const httpUrl =
    /^(?:rest|html)\s+(https?:\/\/\S+?)\/?\s/m.exec(out)?.[1] ??
    (wsHost === undefined ? undefined : `http://${wsHost}`);
  const grpcAddress = /^grpc\s+(\S+)/m.exec(out)?.[1];
  return Object.assign(
    cli,
    httpUrl === undefined ? {} : { httpUrl },
    grpcAddress === undefined ? {} : { grpcAddress },
  );
}
