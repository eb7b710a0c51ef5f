import { fileURLToPath } from "node:url";
import express, { type Request, type RequestHandler, type Router } from "express";
import { type RoomManager, validateRoomId } from "../../rooms/index.js";
import {
  bodyKind,
  bodyParsers,
  createRoomHandler,
  describeError,
  errorHandler,
  type HttpAdapterOptions,
  historyHandler,
  queryString,
  resolveHttpOptions,
  roomPagePath,
  sseStreamHandler,
  statusOf,
  submitHandler,
} from "../shared/index.js";
import { Pages } from "./pages.js";

/** Pages may load only this server's own script and stylesheet, and talk only to it. */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
  "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/**
 * The browser UI and exactly the routes its pages use: `GET /`, `GET /open`,
 * `POST /rooms`, `GET /room/:roomId` (page), `POST /room/:roomId` (form or the
 * page script's JSON), `GET /room/:roomId/messages`, `GET /stream/:roomId`, `/assets/*`.
 */
export function createHtmlRouter(rooms: RoomManager, options?: HttpAdapterOptions): Router {
  const resolved = resolveHttpOptions(options);
  const router = express.Router();
  const parse = bodyParsers(resolved);
  const pages = new Pages(rooms);
  const submitJson = submitHandler(rooms);

  const sendPage = (res: express.Response, status: number, html: string): void => {
    res.status(status).set("content-security-policy", CONTENT_SECURITY_POLICY).type("html").send(html);
  };

  router.use(
    "/assets",
    express.static(fileURLToPath(new URL("./assets", import.meta.url)), { maxAge: "1h", fallthrough: false }),
  );
  router.get("/", async (_req, res) => sendPage(res, 200, await pages.index()));
  router.get("/open", async (req, res) => {
    const requested = queryString(req, "room") ?? "";
    try {
      res.redirect(303, roomPagePath(validateRoomId(requested.trim(), "room")));
    } catch (error) {
      if (!prefersHtml(req)) throw error; // a JSON error, like the API's
      const { code, message } = describeError(error);
      sendPage(res, statusOf(code), await pages.index({ error: message, requested }));
    }
  });
  router.post("/rooms", parse, createRoomHandler(rooms));
  router.get("/room/:roomId", wantsHtml, async (req, res) => {
    const roomId = validateRoomId(req.params.roomId);
    sendPage(res, 200, await pages.room(roomId, { user: queryString(req, "user") }));
  });
  router.post(
    "/room/:roomId",
    parse,
    async (req: Request, res: express.Response, next: express.NextFunction) => {
      if (bodyKind(req) === "json") {
        await submitJson(req, res, next);
        return;
      }
      const roomId = validateRoomId(req.params.roomId);
      const user = typeof req.body.user === "string" ? req.body.user : undefined;
      try {
        await rooms.submit({ roomId, userId: user as string, text: req.body.message });
        res.redirect(303, roomPagePath(roomId, user));
      } catch (error) {
        // Without JavaScript the person sees the page again, with the error and their draft;
        // a client that asks for JSON gets the API's JSON error.
        const { code, message } = describeError(error);
        if (statusOf(code) >= 500 || !prefersHtml(req)) throw error;
        const draft = typeof req.body.message === "string" ? req.body.message : "";
        sendPage(res, statusOf(code), await pages.room(roomId, { user, draft, error: message }));
      }
    },
  );
  router.get("/room/:roomId/messages", historyHandler(rooms));
  router.get("/stream/:roomId", sseStreamHandler(rooms, resolved));
  router.use(errorHandler(resolved, "html"));
  return router;
}

/** Whether the client would rather have a page than JSON (a browser, or no preference). */
function prefersHtml(req: Request): boolean {
  return req.accepts(["html", "json"]) === "html";
}

/** Lets JSON clients fall through to the REST router when both are mounted. */
const wantsHtml: RequestHandler = (req: Request, _res, next) => {
  if (req.accepts(["json", "html"]) === "html") next();
  else next("router");
};
