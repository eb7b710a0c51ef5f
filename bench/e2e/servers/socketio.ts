/**
 * Socket.IO, the incumbent, with its websocket transport only (no polling
 * upgrade dance). A listener connects with `?room=<id>`, joins the room and
 * gets a `ready` event; the publisher connects with `?role=publisher` and
 * emits `publish` with an ack, answered once the message went to the room.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { reportListening } from "./harness.js";
import { MessageMinter } from "./message.js";

const minter = new MessageMinter();
const httpServer = createServer();
const io = new Server(httpServer, { transports: ["websocket"], serveClient: false });

io.on("connection", (socket) => {
  const { room, role } = socket.handshake.query;
  if (role === "publisher") {
    socket.on("publish", (body: { roomId?: unknown }, ack: (reply: unknown) => void) => {
      const roomId = typeof body?.roomId === "string" ? body.roomId : "";
      const message = minter.mint(roomId, body);
      if (message === undefined || roomId === "") return ack({ error: "bad message" });
      io.to(roomId).emit("message", message);
      ack(message);
    });
    return;
  }
  if (typeof room !== "string" || room === "") return void socket.disconnect(true);
  void socket.join(room);
  socket.emit("ready", { roomId: room, members: [], lastId: null, recovered: null });
});

httpServer.listen(0, "127.0.0.1", () => reportListening((httpServer.address() as AddressInfo).port));
