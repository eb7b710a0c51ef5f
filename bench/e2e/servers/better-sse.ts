/**
 * better-sse, used as its README shows: a session per request, one channel per
 * room, `channel.broadcast()` per message (which serialises the data once per
 * session). The POST side is plain `node:http`, as in the hand-written writer.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type Channel, createChannel, createSession } from "better-sse";
import { handlePost, reportListening, roomOf } from "./harness.js";
import { MessageMinter } from "./message.js";

const channels = new Map<string, Channel>();
const minter = new MessageMinter();

function channelOf(roomId: string): Channel {
  let channel = channels.get(roomId);
  if (channel === undefined) {
    channel = createChannel();
    channels.set(roomId, channel);
  }
  return channel;
}

const server = createServer((req, res) => {
  if (req.method === "GET") {
    const roomId = roomOf(req.url, "/stream/");
    if (roomId === undefined) return void res.writeHead(404).end();
    req.socket.setNoDelay(true);
    createSession(req, res, { retry: 1000, keepAlive: 15_000 }).then(
      (session) => {
        session.push({ roomId, members: [], lastId: null, recovered: null }, "ready");
        channelOf(roomId).register(session);
      },
      () => res.destroy(),
    );
    return;
  }
  handlePost(req, res, minter, (roomId, message) => {
    channels.get(roomId)?.broadcast(message, "message", { eventId: message.id });
  });
});
server.requestTimeout = 0;

server.listen(0, "127.0.0.1", () => reportListening((server.address() as AddressInfo).port));
