export { createHttpApp, type HttpAppOptions } from "./app.js";
export { type HttpServerLimits, type RunningHttpServer, startHttpServer } from "./http-server.js";
export type { HttpAdapterOptions } from "./options.js";
