/**
 * The practical limit: a hand-written `node:http` SSE writer. One frame string
 * per message, written to every stream of the room in a loop; a stream whose
 * unsent bytes pass 1 MiB is dropped (the same bound as our server's default).
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handlePost, reportListening, roomOf } from "./harness.js";
import { MessageMinter, messageFrame, readyFrame } from "./message.js";

const MAX_BUFFERED_BYTES = 1024 * 1024;
const HEARTBEAT_MS = 15_000;
const HEARTBEAT = ": heartbeat\n\n";

const rooms = new Map<string, Set<ServerResponse>>();
const minter = new MessageMinter();

const server = createServer((req, res) => {
  if (req.method === "GET") {
    const roomId = roomOf(req.url, "/stream/");
    if (roomId === undefined) return void res.writeHead(404).end();
    req.socket.setNoDelay(true);
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
    });
    res.write(`retry: 1000\n\n${readyFrame(roomId)}`);
    const room = rooms.get(roomId) ?? new Set<ServerResponse>();
    rooms.set(roomId, room);
    room.add(res);
    res.on("close", () => {
      room.delete(res);
      if (room.size === 0) rooms.delete(roomId);
    });
    return;
  }
  handlePost(req, res, minter, (roomId, message) => {
    const frame = messageFrame(message);
    for (const stream of rooms.get(roomId) ?? []) {
      if (stream.writableLength > MAX_BUFFERED_BYTES) stream.destroy();
      else stream.write(frame);
    }
  });
});
server.requestTimeout = 0;

setInterval(() => {
  for (const room of rooms.values()) for (const stream of room) stream.write(HEARTBEAT);
}, HEARTBEAT_MS).unref();

server.listen(0, "127.0.0.1", () => reportListening((server.address() as AddressInfo).port));
