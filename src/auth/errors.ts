/**
 * `unauthenticated`: no token, or one that does not verify. `forbidden`: a
 * valid token without the capability. `rate_limited`: the caller went past
 * its rate or its stream cap.
 */
export type AuthErrorCode = "unauthenticated" | "forbidden" | "rate_limited";

/**
 * A request refused by authentication, authorisation or a rate limit: 401 /
 * 403 / 429 on HTTP, UNAUTHENTICATED / PERMISSION_DENIED / RESOURCE_EXHAUSTED on gRPC.
 */
export class AuthError extends Error {
  readonly code: AuthErrorCode;
  /** `rate_limited`: whole seconds until a retry can succeed (HTTP `Retry-After`). */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: AuthErrorCode, message: string, retryAfterSeconds?: number) {
    super(message);
    this.name = "AuthError";
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
