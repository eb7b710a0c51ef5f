import type { IncomingMessage, ServerResponse } from "node:http";
import type { ServerCommand, ServerReport } from "../shared/protocol.js";
import type { BenchMessage, MessageMinter } from "./message.js";

function send(report: ServerReport): void {
  process.send?.(report);
}

/**
 * The bench side of every server: answers memory requests (after a full GC,
 * when the process runs with `--expose-gc`) and stops on request. A server
 * keeps nothing of the bench but this, so its CPU and memory are its own.
 */
export function answerBenchRequests(stop: () => Promise<void> | void = () => undefined): void {
  process.on("message", (command: ServerCommand) => {
    if (command.type === "memory") {
      // Twice: the first pass may leave weakly held and finalizable objects behind.
      globalThis.gc?.();
      globalThis.gc?.();
      const usage = process.memoryUsage();
      send({
        type: "memory",
        rss: usage.rss,
        heapUsed: usage.heapUsed,
        heapTotal: usage.heapTotal,
        external: usage.external,
        arrayBuffers: usage.arrayBuffers,
      });
    } else if (command.type === "stop") {
      // A normal exit, so that --cpu-prof writes its profile.
      const timer = setTimeout(() => process.exit(0), 1_000);
      void Promise.resolve(stop()).finally(() => {
        clearTimeout(timer);
        process.exit(0);
      });
    }
  });
  // The orchestrator is gone: nobody will ask again.
  process.on("disconnect", () => process.exit(0));
}

/** For the peers' wrappers: answer the bench, and tell it where the server listens. */
export function reportListening(port: number, stop?: () => Promise<void> | void): void {
  answerBenchRequests(stop);
  send({ type: "listening", pid: process.pid, port });
  // Started by hand (no IPC channel): say where, for curl.
  if (process.send === undefined) console.log(`listening on http://127.0.0.1:${port}`);
}

/** Every bench server answers `GET /stream/:room` and `POST /room/:room`; this is the room of a path. */
export function roomOf(url: string | undefined, prefix: string): string | undefined {
  if (url === undefined || !url.startsWith(prefix)) return undefined;
  const end = url.indexOf("?", prefix.length);
  const room = decodeURIComponent(url.slice(prefix.length, end === -1 ? undefined : end));
  return /^[A-Za-z0-9._-]{1,64}$/.test(room) ? room : undefined;
}

/** Reads a small request body (the bench's JSON posts). */
export function readBody(req: NodeJS.ReadableStream, limit = 64 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) reject(new Error("body too large"));
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/**
 * The peers' submit path, `POST /room/:room` with `{userId, text}`: mints the
 * message, hands it to `deliver` for the room's streams, answers `201` with
 * it (`400` for a bad body, `404` for another route).
 */
export function handlePost(
  req: IncomingMessage,
  res: ServerResponse,
  minter: MessageMinter,
  deliver: (roomId: string, message: BenchMessage) => void,
): void {
  const roomId = req.method === "POST" ? roomOf(req.url, "/room/") : undefined;
  if (roomId === undefined) return void res.writeHead(404).end();
  readBody(req).then(
    (body) => {
      const message = minter.mint(roomId, JSON.parse(body));
      if (message === undefined) return void res.writeHead(400).end();
      deliver(roomId, message);
      res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify(message));
    },
    () => res.writeHead(400).end(),
  );
}
