import type { IncomingMessage } from "node:http";
import { parse as parseCookies } from "cookie";

/** The cookie the room page keeps its token in (HttpOnly: page scripts never see it). */
export const TOKEN_COOKIE = "chat_token";

/**
 * The token a request carries, the same way for every HTTP transport:
 * `Authorization: Bearer <token>` first, then the `chat_token` cookie (the
 * page, an EventSource), then `?token=` (an EventSource or a WebSocket from
 * another origin, which cannot send headers).
 */
export function requestToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match !== null) return match[1];
  }
  const cookie = req.headers.cookie;
  if (cookie !== undefined) {
    const token = parseCookies(cookie)[TOKEN_COOKIE];
    if (token !== undefined && token !== "") return token;
  }
  return queryToken(req);
}

/** `?token=` of the request's URL, if any. */
export function queryToken(req: IncomingMessage): string | undefined {
  const query = req.url?.split("?")[1];
  if (query === undefined) return undefined;
  return new URLSearchParams(query).get("token") ?? undefined;
}
