import { AuthError } from "./errors.js";
import { matchesRoom } from "./room-pattern.js";

/**
 * What a caller may do: `subscribe` (stream, read history and the room),
 * `publish` (post), on the rooms its patterns match; `admin` may do anything,
 * including deleting rooms and listing every room.
 */
export type Action = "subscribe" | "publish" | "admin";

/** Who is calling, and what they may do. */
export interface Principal {
  /** The token's `sub`; `undefined` when auth is off (the request names its own user). */
  readonly userId: string | undefined;
  /** When the token expires, in ms since the epoch; `undefined` when auth is off. */
  readonly expiresAt: number | undefined;
  can(action: Action, roomId?: string): boolean;
}

/** The claims this server reads from a verified token. */
export interface Capabilities {
  readonly subscribe: readonly string[];
  readonly publish: readonly string[];
  readonly admin: boolean;
}

/** Auth off: anyone may do anything, as themselves. */
export const ANONYMOUS: Principal = Object.freeze({
  userId: undefined,
  expiresAt: undefined,
  can: () => true,
});

export function tokenPrincipal(userId: string, expiresAt: number, capabilities: Capabilities): Principal {
  return {
    userId,
    expiresAt,
    can(action, roomId) {
      if (capabilities.admin) return true;
      if (action === "admin" || roomId === undefined) return false;
      return capabilities[action].some((pattern) => matchesRoom(pattern, roomId));
    },
  };
}

/** @throws AuthError `forbidden` unless `principal` may do `action` on `roomId`. */
export function authorize(principal: Principal, action: Action, roomId?: string): Principal {
  if (principal.can(action, roomId)) return principal;
  const what = action === "admin" ? "an admin token" : `a token that may ${action} to room \`${roomId}\``;
  throw new AuthError("forbidden", `This needs ${what}`);
}
