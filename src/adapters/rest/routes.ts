import { Router as createRouter, type Router } from "express";
import type { RoomManager } from "../../rooms/index.js";
import {
  access,
  bodyParsers,
  createRoomHandler,
  errorHandler,
  type HttpAdapterOptions,
  historyHandler,
  observeRequests,
  resolveHttpOptions,
  sseStreamHandler,
  sseStreams,
  submitHandler,
  visibleRooms,
} from "../shared/index.js";

/**
 * The JSON API and the SSE stream:
 * `POST /room/:roomId`, `GET /stream/:roomId`, `DELETE /room/:roomId`,
 * `GET /room/:roomId`, `GET /room/:roomId/messages`, `GET /rooms`, `POST /rooms`.
 */
export function createRestRouter(rooms: RoomManager, options?: HttpAdapterOptions): Router {
  const resolved = resolveHttpOptions(options);
  const router = createRouter();
  const parse = bodyParsers(resolved);
  const { auth } = resolved;
  router.use(observeRequests("rest", resolved));

  router.post("/room/:roomId", parse, submitHandler(rooms, resolved));
  router.get("/stream/:roomId", sseStreamHandler(sseStreams(rooms, resolved, "rest")));
  router.delete("/room/:roomId", async (req, res) => {
    await access(req, auth, "admin");
    await rooms.deleteRoom(req.params.roomId as string);
    res.status(204).end();
  });
  router.get("/room/:roomId", async (req, res) => {
    const roomId = req.params.roomId as string;
    await access(req, auth, "subscribe", roomId);
    res.json(await rooms.getRoom(roomId));
  });
  router.get("/room/:roomId/messages", historyHandler(rooms, auth));
  router.get("/rooms", async (req, res) => {
    res.json({ rooms: await visibleRooms(req, rooms, auth) });
  });
  router.post("/rooms", parse, createRoomHandler(rooms, auth));
  router.use(errorHandler(resolved));
  return router;
}
