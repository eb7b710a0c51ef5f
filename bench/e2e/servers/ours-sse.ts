/**
 * Our REST + SSE adapter, configured as `chat-server serve --only rest
 * --log-level warn` configures it (RoomManager with the default history,
 * metrics on, pino at warn), in a process of its own.
 */
import { createHttpApp, startHttpServer } from "../../../src/adapters/http/index.js";
import { ChatMetrics, createLogger } from "../../../src/observability/index.js";
import { RoomManager } from "../../../src/rooms/index.js";
import { reportListening } from "./harness.js";

const rooms = new RoomManager({ historyLimit: 1000, maxMessageBytes: 4096 });
const metrics = new ChatMetrics(rooms);
const app = createHttpApp(rooms, { rest: true, html: false, metrics, logger: createLogger("warn") });
const http = await startHttpServer(app, "127.0.0.1", 0);
reportListening(http.port, async () => {
  await http.close(0);
  await rooms.close();
});
