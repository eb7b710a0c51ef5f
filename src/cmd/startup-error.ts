/** A failure a person can act on, printed as one line. */
export class StartupError extends Error {
  override readonly name = "StartupError";
}

/** `compute()`, with a thrown error's message turned into a StartupError (a bad flag or file). */
export function asStartupError<T>(compute: () => T): T {
  try {
    return compute();
  } catch (error) {
    throw new StartupError(error instanceof Error ? error.message : String(error));
  }
}
