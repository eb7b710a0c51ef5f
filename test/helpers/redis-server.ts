/**
 * A `redis-server` of a test's own on a spare port, for tests that stop,
 * restart or kill Redis (never the machine's shared one). No persistence, as
 * the shared one: a restart loses everything.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { freePort } from "./cli.js";

export interface OwnRedis {
  readonly port: number;
  readonly url: string;
  /** Stops it (SIGKILL: no goodbye to clients) and waits for the exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port: empty, as after a crash without persistence. */
  start(): Promise<void>;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    const spawned = spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--loglevel",
        "notice",
      ],
      { stdio: ["ignore", "pipe", "ignore"] },
    );
    child = spawned;
    // redis-server prints its banner line "Ready to accept connections" once listening.
    let out = "";
    await new Promise<void>((resolve, reject) => {
      spawned.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("Ready to accept connections")) resolve();
      });
      spawned.once("exit", (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
    });
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    const exited = once(running, "exit");
    running.kill("SIGKILL");
    await exited;
  };
  await start();
  return { port, url: `redis://127.0.0.1:${port}`, start, stop };
}
