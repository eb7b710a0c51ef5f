import type { RequestListener } from "node:http";
import express, { type Express } from "express";
import { createHtmlRouter, createNotFoundPage } from "../adapters/html/index.js";
import { createRestRouter } from "../adapters/rest/index.js";
import {
  apiCors,
  CORS_PATHS,
  corsHeaders,
  type HttpAdapterOptions,
  notesOf,
  observeRequests,
  resolveHttpOptions,
  sendError,
  sseStreams,
} from "../adapters/shared/index.js";
import { silentLogger } from "../observability/index.js";
import type { RoomManager } from "../rooms/index.js";
import { routesAt } from "./allowed-methods.js";

export interface HttpAppOptions extends HttpAdapterOptions {
  /** Mount the JSON API and SSE. @default true */
  readonly rest?: boolean;
  /** Mount the browser pages (before the API, which takes the JSON requests). @default true */
  readonly html?: boolean;
  /**
   * The WebSocket adapter is attached to this app's server: a plain
   * `GET /ws/:roomId` (no upgrade) answers `426` instead of `404`. @default false
   */
  readonly ws?: boolean;
  /**
   * Origins (or `*`) whose pages may call the JSON API and SSE from the
   * browser; the room pages stay same-origin. @default none: CORS off
   */
  readonly corsOrigins?: readonly string[] | undefined;
  /** `/healthz` answers 200 while this returns true, 503 otherwise. @default () => true */
  readonly isServing?: () => boolean;
}

/** `GET /stream/<roomId>`: answered before express (see `createHttpApp`). */
const STREAM_PATH = /^\/stream\/([^/?]+)(?:\?|$)/;

/**
 * One HTTP port with the chosen adapters, `GET /healthz`, `GET /metrics`
 * (when metrics are given), a JSON 405 with `Allow` for a known path with
 * another method, and a 404 for everything else (a page for a browser when the
 * pages are on, JSON otherwise). `GET /stream/:roomId`
 * is served before express: an open stream then holds none of express's
 * per-request objects, which were half of its memory.
 */
export function createHttpApp(rooms: RoomManager, options: HttpAppOptions = {}): RequestListener {
  const app = expressApp(rooms, options);
  const rest = options.rest ?? true;
  const adapter = rest ? "rest" : (options.html ?? true) ? "html" : undefined;
  if (adapter === undefined) return app;
  const resolved = resolveHttpOptions(options);
  const streams = sseStreams(rooms, resolved, adapter);
  const observe = observeRequests(adapter, resolved);
  const origins = options.corsOrigins ?? [];
  const cors = origins.length > 0 ? corsHeaders(origins) : undefined;
  return (req, res) => {
    const roomId = req.method === "GET" ? streamRoomId(req.url) : undefined;
    if (roomId === undefined) return void app(req, res);
    const stream = () => streams(req, res, roomId);
    observe(req, res, cors === undefined ? stream : () => cors(req, res, stream));
  };
}

/** The room of a `/stream/<roomId>` URL, decoded; `undefined` for any other (express answers it). */
function streamRoomId(url: string | undefined): string | undefined {
  const segment = STREAM_PATH.exec(url ?? "")?.[1];
  if (segment === undefined) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function expressApp(rooms: RoomManager, options: HttpAppOptions): Express {
  const app = express();
  app.disable("x-powered-by");
  const isServing = options.isServing ?? (() => true);
  app.use(observeRequests("http", { logger: options.logger ?? silentLogger(), metrics: options.metrics }));

  app.get("/healthz", (_req, res) => {
    if (!isServing()) sendError(res, "shutting_down", "The server is shutting down");
    else if (!rooms.healthy) sendError(res, "store_unavailable", "The message store is unavailable");
    else res.json({ status: "ok" });
  });
  const metrics = options.metrics;
  if (metrics !== undefined) {
    app.get("/metrics", async (_req, res) => {
      res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
  }
  if (options.ws === true) {
    app.get("/ws/:roomId", (_req, res) => {
      notesOf(res).adapter = "ws";
      res.set("upgrade", "websocket");
      sendError(res, "upgrade_required", "This is a WebSocket endpoint: connect with a WebSocket client");
    });
  }
  if (options.corsOrigins !== undefined && options.corsOrigins.length > 0) {
    app.use(CORS_PATHS, apiCors(options.corsOrigins));
  }
  const rest = options.rest ?? true;
  const html = options.html ?? true;
  if (html) app.use(createHtmlRouter(rooms, { ...options, apiRoutes: !rest }));
  if (rest) app.use(createRestRouter(rooms, options));
  app.use((req, res, next) => {
    const { methods: allowed, pattern } = routesAt(app, req.path);
    // The port's own answer, not an adapter's: labelled `http`, with the route it missed.
    const notes = notesOf(res);
    notes.adapter = "http";
    // A route with this very method that passed the request on (the pages, for a JSON client) is a 404.
    if (allowed.length === 0 || allowed.includes(req.method)) {
      notes.route = "unmatched";
      next();
      return;
    }
    notes.route = pattern ?? "unmatched";
    res.set("allow", allowed.join(", "));
    sendError(res, "method_not_allowed", `${req.path} answers ${allowed.join(", ")}, not ${req.method}`);
  });
  // A browser that asks for an address nothing answers gets a page; everyone else the JSON 404.
  if (html) app.use(createNotFoundPage(rooms, options));
  app.use((req, res) => sendError(res, "not_found", `No route for ${req.method} ${req.path}`));
  return app;
}
