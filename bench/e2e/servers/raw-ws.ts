/**
 * A plain `ws` server written the obvious way: `GET /ws/:room` upgrades, the
 * socket joins the room's set and gets a ready frame; `POST /room/:room`
 * serialises the message once and `send()`s it to every socket of the room;
 * a socket whose `bufferedAmount` passes 1 MiB is terminated (our server's
 * default bound). Pings every 15 s, as ours.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";
import { handlePost, reportListening, roomOf } from "./harness.js";
import { MessageMinter, wsMessageFrame, wsReadyFrame } from "./message.js";

const MAX_BUFFERED_BYTES = 1024 * 1024;
const PING_MS = 15_000;

const rooms = new Map<string, Set<WebSocket>>();
const minter = new MessageMinter();

const server = createServer((req, res) =>
  handlePost(req, res, minter, (roomId, message) => {
    const frame = wsMessageFrame(message);
    for (const ws of rooms.get(roomId) ?? []) {
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) ws.terminate();
      else ws.send(frame);
    }
  }),
);
server.requestTimeout = 0;

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
server.on("upgrade", (req, socket, head) => {
  const roomId = roomOf(req.url, "/ws/");
  if (roomId === undefined) return void socket.destroy();
  wss.handleUpgrade(req, socket, head, (ws) => {
    const room = rooms.get(roomId) ?? new Set<WebSocket>();
    rooms.set(roomId, room);
    room.add(ws);
    ws.on("error", () => undefined);
    ws.on("close", () => {
      room.delete(ws);
      if (room.size === 0) rooms.delete(roomId);
    });
    ws.send(wsReadyFrame(roomId));
  });
});

setInterval(() => {
  for (const room of rooms.values()) for (const ws of room) ws.ping();
}, PING_MS).unref();

server.listen(0, "127.0.0.1", () => reportListening((server.address() as AddressInfo).port));
