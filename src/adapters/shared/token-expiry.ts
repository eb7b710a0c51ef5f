import type { Authenticator, Principal } from "../../auth/index.js";

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
