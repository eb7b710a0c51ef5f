export { createHttpApp, type HttpAppOptions } from "./app.js";
export { type RunningHttpServer, startHttpServer } from "./http-server.js";
export type { HttpAdapterOptions } from "./options.js";
