export { AUTH_OFF, Authenticator, type AuthMode, type AuthOptions } from "./authenticator.js";
export { AuthError, type AuthErrorCode } from "./errors.js";
export { issueToken, type TokenRequest } from "./issue-token.js";
export { type Action, ANONYMOUS, authorize, type Capabilities, type Principal } from "./principal.js";
export {
  RATE_LIMIT_DEFAULTS,
  type RateBuckets,
  type RateLimitOptions,
  RateLimits,
  rateKey,
} from "./rate-limits.js";
export { matchesRoom } from "./room-pattern.js";
