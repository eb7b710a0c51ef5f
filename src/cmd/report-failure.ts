import { ClientError } from "./chat-client.js";
import { StartupError } from "./startup-error.js";

/**
 * Prints one line a person can act on (a stack only with `--verbose` or
 * `DEBUG=chat-server`) and returns the exit code.
 */
export function reportFailure(error: unknown, verbose: boolean): number {
  const debug = verbose || /chat-server|\*/.test(process.env.DEBUG ?? "");
  const expected = error instanceof StartupError || error instanceof ClientError;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${expected ? message : `unexpected failure: ${message}`}\n`);
  if (debug && error instanceof Error && error.stack !== undefined) process.stderr.write(`${error.stack}\n`);
  return 1;
}
