import type { Authenticator, Principal } from "../../auth/index.js";

/** What there is to cancel for a token that never expires. */
const NEVER = (): void => undefined;

/** setTimeout's largest delay; a longer one would fire at once. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * Calls `onExpired` when `principal`'s token expires (never when auth is off);
 * the returned function cancels it. An open stream must not outlive its token.
 */
export function whenTokenExpires(
  auth: Authenticator,
  principal: Principal,
  onExpired: () => void,
): () => void {
  // Most streams never expire (auth off, a token without `exp`): no timer, no closure.
  if (auth.remainingMs(principal) === undefined) return NEVER;
  let timer: NodeJS.Timeout | undefined;
  const schedule = (): void => {
    const remaining = auth.remainingMs(principal);
    if (remaining === undefined) return;
    if (remaining === 0) {
      timer = undefined;
      onExpired();
      return;
    }
    timer = setTimeout(schedule, Math.min(remaining, MAX_DELAY_MS));
    timer.unref();
  };
  schedule();
  return () => clearTimeout(timer);
}
