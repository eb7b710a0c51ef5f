import type { IncomingMessage } from "node:http";
import {
  type Action,
  type Authenticator,
  authorize,
  type Principal,
  type RateLimits,
  rateKey,
} from "../../auth/index.js";
import type { RoomInfo, RoomManager } from "../../rooms/index.js";
import { requestToken } from "./request-token.js";

/** One verification per request, however many checks its handler makes. */
const principals = new WeakMap<IncomingMessage, Promise<Principal>>();

/**
 * The caller of `req`, if they may do `action` (on `roomId`).
 * @throws AuthError `unauthenticated` (no or bad token) or `forbidden` (not allowed)
 */
export async function access(
  req: IncomingMessage,
  auth: Authenticator,
  action: Action,
  roomId?: string,
): Promise<Principal> {
  return authorize(await principalOf(req, auth), action, roomId);
}

/** The caller of `req`, without an authorisation check (lists filtered per room). */
export function principalOf(req: IncomingMessage, auth: Authenticator): Promise<Principal> {
  let principal = principals.get(req);
  if (principal === undefined) {
    principal = auth.authenticate(requestToken(req));
    principals.set(req, principal);
  }
  return principal;
}

/** The rooms the caller of `req` may subscribe to (every room for an admin, or with auth off). */
export async function visibleRooms(
  req: IncomingMessage,
  rooms: RoomManager,
  auth: Authenticator,
): Promise<RoomInfo[]> {
  const principal = await principalOf(req, auth);
  return (await rooms.listRooms()).filter((room) => principal.can("subscribe", room.roomId));
}

/** What an adapter checks a caller against. */
export interface CallerChecks {
  readonly auth: Authenticator;
  readonly rateLimits?: RateLimits | undefined;
}

/**
 * The caller of `req`, if they may post to `roomId` now (capability, then rate).
 * @throws AuthError `unauthenticated`, `forbidden` or `rate_limited`
 */
export async function poster(req: IncomingMessage, checks: CallerChecks, roomId: string): Promise<Principal> {
  const principal = await access(req, checks.auth, "publish", roomId);
  await checks.rateLimits?.takeSubmit(rateKey(principal, req.socket.remoteAddress));
  return principal;
}

/** The release of a stream no cap counts: one function for all of them. */
const NO_CAP = (): void => undefined;

/**
 * The caller of `req`, if they may open a stream of `roomId` now, and the
 * function that releases the stream from their cap when it ends.
 * @throws AuthError `unauthenticated`, `forbidden` or `rate_limited`
 */
export async function streamer(
  req: IncomingMessage,
  checks: CallerChecks,
  roomId: string,
): Promise<{ principal: Principal; release: () => void }> {
  const principal = await access(req, checks.auth, "subscribe", roomId);
  const release =
    (await checks.rateLimits?.openStream(rateKey(principal, req.socket.remoteAddress))) ?? NO_CAP;
  return { principal, release };
}
