import type { IncomingMessage, ServerResponse } from "node:http";
import cors from "cors";
import type { Request, RequestHandler } from "express";

/**
 * Checks a CORS allow-list: each entry an origin as browsers send it
 * (`https://app.example`, `http://localhost:3000`: scheme, host, port, no
 * path), or `*` for any.
 * @throws TypeError naming the first entry that is not one
 */
export function validateCorsOrigins(origins: readonly string[]): readonly string[] {
  for (const origin of origins) {
    if (origin === "*") continue;
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || parsed.origin !== origin) {
      throw new TypeError(
        `Expected a CORS origin such as https://app.example (scheme, host and port, no path), got ${JSON.stringify(origin)}`,
      );
    }
  }
  return origins;
}

/** The API's routes; the pages (and their assets) stay same-origin. */
export const CORS_PATHS = ["/rooms", "/room", "/stream"];

/**
 * CORS for the JSON API and SSE, for the origins listed: preflights answered,
 * `Authorization`, `Content-Type` and `Last-Event-ID` allowed, no cookies
 * (another origin sends its token in the header or `?token=`). A browser
 * asking for a room's page gets no CORS headers.
 */
export function apiCors(origins: readonly string[]): RequestHandler {
  const handler = corsHeaders(origins);
  return (req, res, next) => (isPageRequest(req) ? next() : handler(req, res, next));
}

/** The CORS middleware itself, on plain node objects (the SSE streams served before express use it). */
export function corsHeaders(
  origins: readonly string[],
): (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void {
  const allowAll = origins.includes("*");
  return cors({
    origin: allowAll ? "*" : [...validateCorsOrigins(origins)],
    methods: ["GET", "HEAD", "POST", "DELETE"],
    allowedHeaders: ["authorization", "content-type", "last-event-id"],
    exposedHeaders: ["www-authenticate", "retry-after"],
    maxAge: 600,
  });
}

/** `GET /room/:roomId` by a client that would rather have the page than JSON. */
function isPageRequest(req: Request): boolean {
  const page =
    (req.method === "GET" || req.method === "HEAD") &&
    /^\/room\/[^/]+\/?$/.test(req.originalUrl.split("?")[0] ?? "");
  return page && req.accepts(["json", "html"]) === "html";
}
