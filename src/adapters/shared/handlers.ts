import type { RequestHandler } from "express";
import type { Authenticator } from "../../auth/index.js";
import { type RoomManager, validateText, validateUserId } from "../../rooms/index.js";
import { access, type CallerChecks, poster } from "./access.js";
import { bodyKind, queryString } from "./body.js";
import { HttpError } from "./error-response.js";

/** Where a browser lands after a form post: the room page, keeping the name it typed. */
export function roomPagePath(roomId: string, userId?: string): string {
  const path = `/room/${encodeURIComponent(roomId)}`;
  return userId === undefined || userId === "" ? path : `${path}?user=${encodeURIComponent(userId)}`;
}

/**
 * Where a form post lands: the room page, scrolled to the newest message
 * (`#latest`), so a browser without JavaScript shows the message just sent.
 */
export function afterFormPostPath(roomId: string, userId: string): string {
  return `${roomPagePath(roomId, userId)}#latest`;
}

/**
 * `POST /room/:roomId` — JSON `{"userId","text"}` → `201` with the stored
 * message; an HTML form (`user`, `message`) → `303` back to the room page.
 * With auth on, the user is the token's, whatever the body says; with rate
 * limits, a caller past its rate gets `429` with `Retry-After`.
 */
export function submitHandler(rooms: RoomManager, checks: CallerChecks): RequestHandler {
  return async (req, res) => {
    const roomId = req.params.roomId as string;
    const { userId: tokenUser } = await poster(req, checks, roomId);
    if (bodyKind(req) === "json") {
      const userId = tokenUser ?? req.body.userId;
      const message = await rooms.submit({ roomId, userId, text: req.body.text });
      res
        .status(201)
        .location(`/room/${encodeURIComponent(roomId)}/messages`)
        .json(message);
      return;
    }
    res.redirect(303, afterFormPostPath(roomId, await submitForm(rooms, roomId, req.body, tokenUser)));
  };
}

/**
 * Stores a form post (`user`, `message`) and returns the user it was posted
 * as (the token's, when there is one). The fields are checked under their own
 * names, so an error names what the form sent, not the JSON API's fields.
 */
export async function submitForm(
  rooms: RoomManager,
  roomId: string,
  body: { user?: unknown; message?: unknown },
  tokenUser: string | undefined,
): Promise<string> {
  const userId = tokenUser ?? validateUserId(body.user, "user");
  // A browser sends a textarea's line breaks as CRLF (the HTML form encoding): stored as the script's LF.
  const message = typeof body.message === "string" ? body.message.replace(/\r\n?/g, "\n") : body.message;
  const text = validateText(message, rooms.maxMessageBytes, "message");
  await rooms.submit({ roomId, userId, text });
  return userId;
}

/**
 * `POST /rooms` — a room with a generated id and name: `201 {"roomId","name"}`, or `303` to it for a form.
 * With auth on it needs an admin token: no room pattern can name a room before it exists.
 */
export function createRoomHandler(rooms: RoomManager, auth: Authenticator): RequestHandler {
  return async (req, res) => {
    await access(req, auth, "admin");
    const { roomId, name } = await rooms.createRoom();
    if (req.is("application/x-www-form-urlencoded")) {
      res.redirect(303, roomPagePath(roomId));
      return;
    }
    res
      .status(201)
      .location(`/room/${encodeURIComponent(roomId)}`)
      .json({ roomId, name });
  };
}

/** `GET /room/:roomId/messages?since=&limit=` — history, oldest first, and whether it follows `since` (`recovered`). */
export function historyHandler(rooms: RoomManager, auth: Authenticator): RequestHandler {
  return async (req, res) => {
    const roomId = req.params.roomId as string;
    await access(req, auth, "subscribe", roomId);
    const limit = queryString(req, "limit");
    // Digits only: Number() would also take "1e2", "0x10" and " 5 ".
    if (limit !== undefined && !/^\d{1,9}$/.test(limit)) {
      throw new HttpError(
        "invalid_limit",
        `Expected \`limit\` to be an integer from 1 to ${rooms.historyLimit}, got ${JSON.stringify(limit)}`,
      );
    }
    const { messages, recovered } = await rooms.historyPage(roomId, {
      since: queryString(req, "since"),
      limit: limit === undefined ? undefined : Number(limit),
    });
    res.json({ roomId, messages, recovered });
  };
}
