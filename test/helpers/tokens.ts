import { decodeJwt } from "jose";
import { Authenticator, issueToken } from "../../src/auth/index.js";

/** The HMAC secret of the auth tests' servers. */
export const TEST_SECRET = "a-test-secret-of-at-least-32-bytes!!";

/**
 * An authenticator in required mode. `skewMs` moves its clock ahead, so a
 * token issued now is that much closer to expiring (a stream's expiry without
 * waiting out a real lifetime).
 */
export function requiredAuth(skewMs = 0): Authenticator {
  return new Authenticator({ mode: "required", secret: TEST_SECRET, now: () => Date.now() + skewMs });
}

/** The clock skew (for `requiredAuth`) at which `token` expires `ms` from now. */
export function skewToExpireIn(token: string, ms: number): number {
  return (decodeJwt(token).exp as number) * 1000 - Date.now() - ms;
}

/** One token of each kind the transports must tell apart, for rooms named `team-*`. */
export interface TestTokens {
  /** ann: subscribe and publish on `team-*`. */
  readonly valid: string;
  /** ann, on `team-*`, expired an hour ago. */
  readonly expired: string;
  /** ann, on `team-*`, signed with another secret. */
  readonly badSignature: string;
  /** ann: subscribe and publish on `lobby` only. */
  readonly otherRoom: string;
  /** ann: subscribe only on `team-*`. */
  readonly readOnly: string;
  /** root: admin. */
  readonly admin: string;
}

export async function testTokens(ttlSeconds = 3600): Promise<TestTokens> {
  const ann = { userId: "ann", subscribe: ["team-*"], publish: ["team-*"], ttlSeconds, secret: TEST_SECRET };
  return {
    valid: await issueToken(ann),
    expired: await issueToken({ ...ann, now: () => Date.now() - 2 * 3600_000 - ttlSeconds * 1000 }),
    badSignature: await issueToken({ ...ann, secret: "another-secret-of-at-least-32-bytes!" }),
    otherRoom: await issueToken({ ...ann, subscribe: ["lobby"], publish: ["lobby"] }),
    readOnly: await issueToken({ ...ann, publish: [] }),
    admin: await issueToken({ ...ann, userId: "root", subscribe: [], publish: [], admin: true }),
  };
}

/** The token cases every route is tried with, and the error each must answer (none: allowed). */
export const REFUSALS = [
  { token: undefined, code: "unauthenticated" },
  { token: "expired", code: "unauthenticated" },
  { token: "badSignature", code: "unauthenticated" },
  { token: "otherRoom", code: "forbidden" },
] as const satisfies readonly { token: keyof TestTokens | undefined; code: string }[];
