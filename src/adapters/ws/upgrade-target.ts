import type { IncomingMessage } from "node:http";
import { HttpError } from "../shared/index.js";

/** What an upgrade request asks for: `GET /ws/:roomId?userId=&since=`. */
export interface UpgradeTarget {
  /** As given (validated when the listener opens). */
  readonly roomId: string;
  readonly userId: string | undefined;
  readonly since: string | undefined;
}

const PATH = /^\/ws\/([^/]*)\/?$/;

/** A `Sec-WebSocket-Key`: 16 bytes in base64. */
const KEY = /^[+/0-9A-Za-z]{22}==$/;

/**
 * Reads the upgrade URL; throws `HttpError` (`not_found`, `bad_request`,
 * `invalid_query`) when it cannot, or when the request is no WebSocket
 * handshake (checked here, before a listener is opened, so a bad handshake
 * never shows as presence; `ws` checks the rest).
 */
export function upgradeTarget(req: IncomingMessage): UpgradeTarget {
  const key = req.headers["sec-websocket-key"];
  if (req.headers.upgrade?.toLowerCase() !== "websocket" || key === undefined || !KEY.test(key)) {
    throw new HttpError(
      "bad_request",
      "Expected a WebSocket handshake (Upgrade: websocket, Sec-WebSocket-Key)",
    );
  }
  const url = new URL(req.url ?? "/", "http://upgrade.invalid");
  const match = PATH.exec(url.pathname);
  if (match === null)
    throw new HttpError("not_found", `No WebSocket endpoint at ${url.pathname}; use /ws/:roomId`);
  let roomId: string;
  try {
    roomId = decodeURIComponent(match[1] as string);
  } catch {
    throw new HttpError("bad_request", "The request URL could not be read");
  }
  return { roomId, userId: single(url, "userId"), since: single(url, "since") };
}

/** A query parameter given at most once, `undefined` when absent or empty (as for SSE). */
function single(url: URL, name: string): string | undefined {
  const values = url.searchParams.getAll(name);
  if (values.length > 1)
    throw new HttpError("invalid_query", `Expected query parameter \`${name}\` at most once`);
  return values[0] === "" ? undefined : values[0];
}
