/**
 * Calls `onAbort` once when `signal` aborts and returns a remover that must be
 * called on every other exit path, so a long-lived signal never keeps a dead
 * subscription reachable. The caller checks `signal.aborted` first.
 */
export function listenForAbort(signal: AbortSignal | undefined, onAbort: () => void): () => void {
  if (signal === undefined) return noop;
  signal.addEventListener("abort", onAbort, { once: true });
  return () => signal.removeEventListener("abort", onAbort);
}

function noop(): void {}
