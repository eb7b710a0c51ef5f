import { fileURLToPath } from "node:url";
import express, { type Request, type RequestHandler, type Router } from "express";
import { AuthError } from "../../auth/index.js";
import { type RoomManager, validateRoomId } from "../../rooms/index.js";
import {
  access,
  afterFormPostPath,
  bodyKind,
  bodyParsers,
  createRoomHandler,
  describeError,
  errorHandler,
  type HttpAdapterOptions,
  HttpError,
  historyHandler,
  notesOf,
  observeRequests,
  poster,
  queryString,
  queryToken,
  resolveHttpOptions,
  roomPagePath,
  routeOf,
  sseStreamHandler,
  sseStreams,
  statusOf,
  submitForm,
  submitHandler,
  TOKEN_COOKIE,
  visibleRooms,
} from "../shared/index.js";
import { Pages } from "./pages.js";

/** Pages may load only this server's own script and stylesheet, and talk only to it. */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
  "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export interface HtmlRouterOptions extends HttpAdapterOptions {
  /**
   * Also answer the JSON routes the page script calls (`GET
   * /room/:roomId/messages`, `GET /stream/:roomId`, a JSON `POST /room/:roomId`).
   * Off when the REST router is mounted after this one: it answers them, and
   * the metrics and logs say `rest` for them. @default true
   */
  readonly apiRoutes?: boolean;
}

/**
 * The browser UI and exactly the routes its pages use: `GET /`, `GET /open`,
 * `POST /rooms`, `GET /room/:roomId` (page), `POST /room/:roomId` (form or the
 * page script's JSON), `GET /room/:roomId/messages`, `GET /stream/:roomId`, `/assets/*`.
 */
export function createHtmlRouter(rooms: RoomManager, options?: HtmlRouterOptions): Router {
  const resolved = resolveHttpOptions(options);
  const apiRoutes = options?.apiRoutes ?? true;
  const router = express.Router();
  const parse = bodyParsers(resolved);
  const pages = new Pages(rooms);
  const { auth } = resolved;
  const submitJson = submitHandler(rooms, resolved);

  router.use(observeRequests("html", resolved));
  router.use(
    "/assets",
    (req, res, next) => {
      notesOf(res).route = "/assets/*";
      // express.static would answer other methods with a bare 405: this one has the error shape.
      if (req.method !== "GET" && req.method !== "HEAD") {
        res.set("allow", "GET, HEAD");
        throw new HttpError("method_not_allowed", `/assets answers GET, HEAD, not ${req.method}`);
      }
      next();
    },
    express.static(fileURLToPath(new URL("./assets", import.meta.url)), { maxAge: "1h", fallthrough: false }),
  );
  router.use(tokenToCookie);
  router.get("/", async (req, res) => {
    sendPage(res, 200, await pages.index(await visibleRooms(req, rooms, auth)));
  });
  router.get("/open", async (req, res) => {
    const requested = queryString(req, "room") ?? "";
    try {
      res.redirect(303, roomPagePath(validateRoomId(requested.trim(), "room")));
    } catch (error) {
      if (!prefersHtml(req)) throw error; // a JSON error, like the API's
      const { code } = describeError(error);
      notesOf(res).errorCode = code;
      const visible = await visibleRooms(req, rooms, auth);
      sendPage(res, statusOf(code), await pages.index(visible, { error: pages.errorText(code), requested }));
    }
  });
  router.post("/rooms", parse, createRoomHandler(rooms, auth));
  router.get("/room/:roomId", wantsHtml, async (req, res) => {
    const roomId = validateRoomId(req.params.roomId);
    const { userId } = await access(req, auth, "subscribe", roomId);
    const view = { user: userId ?? queryString(req, "user"), signedIn: userId !== undefined };
    sendPage(res, 200, await pages.room(roomId, view));
  });
  router.post(
    "/room/:roomId",
    parse,
    async (req: Request, res: express.Response, next: express.NextFunction) => {
      if (bodyKind(req) === "json") {
        if (apiRoutes) await submitJson(req, res, next);
        else next("router");
        return;
      }
      const roomId = validateRoomId(req.params.roomId);
      const { userId: tokenUser } = await poster(req, resolved, roomId);
      const user = tokenUser ?? (typeof req.body.user === "string" ? req.body.user : undefined);
      try {
        await sameRoomLife(pages, roomId, req.body.room_created);
        res.redirect(303, afterFormPostPath(roomId, await submitForm(rooms, roomId, req.body, tokenUser)));
      } catch (error) {
        // Without JavaScript the person sees the page again, with the error and their draft;
        // a client that asks for JSON gets the API's JSON error.
        const { code } = describeError(error);
        if (statusOf(code) >= 500 || !prefersHtml(req)) throw error;
        notesOf(res).errorCode = code;
        const draft = typeof req.body.message === "string" ? req.body.message : "";
        const view = { user, signedIn: tokenUser !== undefined, draft, error: pages.errorText(code) };
        sendPage(res, statusOf(code), await pages.room(roomId, view));
      }
    },
  );
  if (apiRoutes) {
    router.get("/room/:roomId/messages", historyHandler(rooms, auth));
    router.get("/stream/:roomId", sseStreamHandler(sseStreams(rooms, resolved, "html")));
  }
  // A browser gets an error page in the site's style, never the API's JSON: the index, with the
  // error in words and, for a room name it cannot use, that name in the box to fix it.
  router.use(async (error: unknown, req: Request, res: express.Response, next: express.NextFunction) => {
    if (!isPageRequest(req) || res.headersSent) {
      next(error);
      return;
    }
    const { code, known } = describeError(error);
    if (!known)
      resolved.logger.error({ err: error, method: req.method, route: routeOf(req, res) }, "request failed");
    notesOf(res).errorCode = code;
    // Without the right token the list of rooms is not the visitor's to see either.
    const visible = error instanceof AuthError ? [] : await visibleRooms(req, rooms, auth).catch(() => []);
    const requested = code === "invalid_room_id" ? roomIdInPath(req) : undefined;
    sendPage(res, statusOf(code), await pages.index(visible, { error: pages.errorText(code), requested }));
  });
  router.use(errorHandler(resolved));
  return router;
}

/**
 * The end of the line for a browser whose address matches no route: a 404 in
 * the site's style, the index with "There is no such page." Anything else
 * (an API client, a method other than GET or HEAD) goes to `next`, the JSON 404.
 */
export function createNotFoundPage(rooms: RoomManager, options?: HttpAdapterOptions): RequestHandler {
  const { auth } = resolveHttpOptions(options);
  const pages = new Pages(rooms);
  return async (req, res, next) => {
    if ((req.method !== "GET" && req.method !== "HEAD") || !prefersHtml(req)) {
      next();
      return;
    }
    notesOf(res).errorCode = "not_found";
    const visible = await visibleRooms(req, rooms, auth).catch(() => []);
    sendPage(res, 404, await pages.index(visible, { error: pages.errorText("not_found") }));
  };
}

function sendPage(res: express.Response, status: number, html: string): void {
  res.status(status).set("content-security-policy", CONTENT_SECURITY_POLICY).type("html").send(html);
}

/**
 * A page visited with `?token=` (a link an operator hands out): the token goes
 * into an HttpOnly session cookie, and the browser is sent
 * to the same page without it, so it stays out of the address bar and history.
 */
const tokenToCookie: RequestHandler = (req, res, next) => {
  const token = req.method === "GET" && !req.path.startsWith("/stream/") ? queryToken(req) : undefined;
  if (token === undefined || req.accepts(["html", "json"]) !== "html") {
    next();
    return;
  }
  res.cookie(TOKEN_COOKIE, token, { httpOnly: true, sameSite: "strict", path: "/" });
  const query = new URLSearchParams(req.url.split("?")[1]);
  query.delete("token");
  const rest = query.toString();
  res.redirect(303, `${req.path}${rest === "" ? "" : `?${rest}`}`);
};

/**
 * A page without JavaScript posts the `createdAt` of the room it showed: when
 * that room has been deleted since (gone, or a new one under the same id), the
 * post is refused rather than silently starting a new room. The page then
 * shows the new state, and sending again starts the room anew.
 */
async function sameRoomLife(pages: Pages, roomId: string, shown: unknown): Promise<void> {
  if (typeof shown !== "string" || shown === "") return;
  if ((await pages.findRoom(roomId))?.createdAt !== shown)
    throw new HttpError("room_deleted", `Room "${roomId}" was deleted after the page was shown`);
}

/** The room id as the visitor typed it in the address (`/room/<id>`), decoded. */
function roomIdInPath(req: Request): string {
  const segment = req.path.split("/")[2] ?? "";
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Whether the client would rather have a page than JSON: a browser says so (`text/html` ranked first); `*\/*` alone, as curl sends, gets JSON. */
function prefersHtml(req: Request): boolean {
  return req.accepts(["json", "html"]) === "html";
}

/** The routes that answer pages (the API's JSON routes answer JSON errors, whatever `Accept` says). */
const PAGE_ROUTES: ReadonlySet<unknown> = new Set(["/", "/open", "/rooms", "/room/:roomId"]);

/** A page, or a form posted from one, by a client that would rather have a page. */
function isPageRequest(req: Request): boolean {
  return PAGE_ROUTES.has(req.route?.path) && !req.is("application/json") && prefersHtml(req);
}

/** Lets JSON clients fall through to the REST router when both are mounted. */
const wantsHtml: RequestHandler = (req: Request, _res, next) => {
  if (req.accepts(["json", "html"]) === "html") next();
  else next("router");
};
