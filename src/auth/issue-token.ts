import { SignJWT } from "jose";
import { validateUserId } from "../rooms/index.js";
import { hmacKey } from "./hmac-key.js";

export interface TokenRequest {
  readonly userId: string;
  /** Room patterns the token may subscribe to. */
  readonly subscribe: readonly string[];
  /** Room patterns the token may publish to. */
  readonly publish: readonly string[];
  readonly admin?: boolean;
  /** Lifetime in seconds. */
  readonly ttlSeconds: number;
  /** The HMAC secret the server verifies with. */
  readonly secret: string;
  /** @default Date.now */
  readonly now?: () => number;
}

/** An HS256 token in the format the server reads (see the README's Security section). */
export async function issueToken(request: TokenRequest): Promise<string> {
  const issuedAt = Math.floor((request.now ?? Date.now)() / 1000);
  return new SignJWT({
    rooms: { subscribe: [...request.subscribe], publish: [...request.publish] },
    ...(request.admin === true ? { admin: true } : {}),
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(validateUserId(request.userId))
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + request.ttlSeconds)
    .sign(hmacKey(request.secret));
}
