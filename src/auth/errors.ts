/** `unauthenticated`: no token, or one that does not verify. `forbidden`: a valid token without the capability. */
export type AuthErrorCode = "unauthenticated" | "forbidden";

/** A request refused by authentication or authorisation: 401 / 403 on HTTP, UNAUTHENTICATED / PERMISSION_DENIED on gRPC. */
export class AuthError extends Error {
  readonly code: AuthErrorCode;

  constructor(code: AuthErrorCode, message: string) {
    super(message);
    this.name = "AuthError";
    this.code = code;
  }
}
