import { createPublicKey, type KeyObject } from "node:crypto";
import {
  createLocalJWKSet,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  errors as joseErrors,
  jwtVerify,
} from "jose";
import { validateUserId } from "../rooms/index.js";
import { AuthError } from "./errors.js";
import { hmacKey } from "./hmac-key.js";
import { ANONYMOUS, type Capabilities, type Principal, tokenPrincipal } from "./principal.js";

/** `off`: anyone may do anything, as the user they name (the default). `required`: every call needs a token. */
export type AuthMode = "off" | "required";

export interface AuthOptions {
  /** @default "off" */
  readonly mode?: AuthMode;
  /** HMAC secret (HS256/384/512), at least 32 bytes. */
  readonly secret?: string;
  /** A PEM public key (RSA, EC or Ed25519) for tokens signed elsewhere. */
  readonly publicKey?: string;
  /** A JSON Web Key Set for tokens signed elsewhere (keys chosen by `kid`). */
  readonly jwks?: JSONWebKeySet;
  /** The clock, in ms since the epoch (tests). @default Date.now */
  readonly now?: () => number;
}

const HMAC_ALGORITHMS = ["HS256", "HS384", "HS512"];
const PUBLIC_KEY_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
];

/** Verifies tokens into principals, the same way for every transport. */
export class Authenticator {
  readonly mode: AuthMode;
  readonly #keys: readonly { key: Uint8Array | KeyObject | JWTVerifyGetKey; algorithms: string[] }[];
  readonly #now: () => number;

  constructor(options: AuthOptions = {}) {
    this.mode = options.mode ?? "off";
    if (this.mode !== "off" && this.mode !== "required") {
      throw new RangeError(`Expected auth mode "off" or "required", got ${JSON.stringify(this.mode)}`);
    }
    this.#now = options.now ?? Date.now;
    const keys: { key: Uint8Array | KeyObject | JWTVerifyGetKey; algorithms: string[] }[] = [];
    if (options.secret !== undefined)
      keys.push({ key: hmacKey(options.secret), algorithms: HMAC_ALGORITHMS });
    if (options.publicKey !== undefined) {
      keys.push({ key: createPublicKey(options.publicKey), algorithms: PUBLIC_KEY_ALGORITHMS });
    }
    if (options.jwks !== undefined) {
      keys.push({ key: createLocalJWKSet(options.jwks), algorithms: PUBLIC_KEY_ALGORITHMS });
    }
    if (this.mode === "required" && keys.length === 0) {
      throw new RangeError("auth required needs a secret, a public key or a JWKS to verify tokens with");
    }
    this.#keys = keys;
  }

  /**
   * The caller behind `token`. Auth off: everyone is ANONYMOUS (a token is not even read).
   * @throws AuthError `unauthenticated` for a missing, expired, malformed or badly signed token.
   */
  async authenticate(token: string | undefined): Promise<Principal> {
    if (this.mode === "off") return ANONYMOUS;
    if (token === undefined || token === "") {
      throw new AuthError(
        "unauthenticated",
        "This server needs a token: send `Authorization: Bearer <token>`",
      );
    }
    let failure: unknown;
    for (const { key, algorithms } of this.#keys) {
      try {
        const { payload } = await jwtVerify(token, key as Uint8Array, {
          algorithms,
          requiredClaims: ["sub", "exp"],
          currentDate: new Date(this.#now()),
        });
        return principalOf(payload);
      } catch (error) {
        failure = error;
        if (error instanceof joseErrors.JWTExpired || error instanceof AuthError) break;
      }
    }
    throw unauthenticated(failure);
  }

  /** Milliseconds until `principal`'s token expires (`undefined`: never). */
  remainingMs(principal: Principal): number | undefined {
    return principal.expiresAt === undefined ? undefined : Math.max(0, principal.expiresAt - this.#now());
  }
}

function principalOf(payload: JWTPayload): Principal {
  let userId: string;
  try {
    userId = validateUserId(payload.sub);
  } catch {
    throw new AuthError("unauthenticated", "The token's `sub` is not a valid user id");
  }
  return tokenPrincipal(userId, (payload.exp as number) * 1000, capabilitiesOf(payload));
}

function capabilitiesOf(payload: JWTPayload): Capabilities {
  const rooms = (payload.rooms ?? {}) as { subscribe?: unknown; publish?: unknown };
  return {
    subscribe: patterns(rooms.subscribe, "rooms.subscribe"),
    publish: patterns(rooms.publish, "rooms.publish"),
    admin: payload.admin === true,
  };
}

function patterns(value: unknown, claim: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
    throw new AuthError("unauthenticated", `The token's \`${claim}\` must be a list of room patterns`);
  }
  return value;
}

/** One plain sentence for the client; jose's own wording stays out of it. */
function unauthenticated(error: unknown): AuthError {
  if (error instanceof AuthError) return error;
  if (error instanceof joseErrors.JWTExpired)
    return new AuthError("unauthenticated", "The token has expired");
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return new AuthError("unauthenticated", `The token's \`${error.claim}\` claim is missing or invalid`);
  }
  return new AuthError("unauthenticated", "The token is malformed or its signature does not verify");
}

/** Auth off: every adapter's default, where anyone may do anything (today's embedded behaviour). */
export const AUTH_OFF = new Authenticator();
