// What the command layer offers embedders: the HTTP app it assembles from the
// adapters. The CLI itself (program, serve, clients) stays inside.

export { createHttpApp, type HttpAppOptions } from "./http-app.js";
