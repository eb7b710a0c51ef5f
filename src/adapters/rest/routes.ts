import { Router as createRouter, type Router } from "express";
import type { RoomManager } from "../../rooms/index.js";
import {
  bodyParsers,
  createRoomHandler,
  errorHandler,
  type HttpAdapterOptions,
  historyHandler,
  resolveHttpOptions,
  sseStreamHandler,
  submitHandler,
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

  router.post("/room/:roomId", parse, submitHandler(rooms));
  router.get("/stream/:roomId", sseStreamHandler(rooms, resolved));
  router.delete("/room/:roomId", async (req, res) => {
    await rooms.deleteRoom(req.params.roomId as string);
    res.status(204).end();
  });
  router.get("/room/:roomId", async (req, res) => {
    res.json(await rooms.getRoom(req.params.roomId as string));
  });
  router.get("/room/:roomId/messages", historyHandler(rooms));
  router.get("/rooms", async (_req, res) => {
    res.json({ rooms: await rooms.listRooms() });
  });
  router.post("/rooms", parse, createRoomHandler(rooms));
  router.use(errorHandler(resolved, "rest"));
  return router;
}
