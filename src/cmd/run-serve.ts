import type { ServeConfig } from "./config.js";
import type { ProgramIO } from "./program.js";
import { startServer } from "./serve.js";

/**
 * `chat-server serve`: start, print where each adapter listens, and on
 * SIGINT/SIGTERM shut down gracefully; a second signal exits at once.
 */
export async function runServe(config: ServeConfig, io: ProgramIO): Promise<void> {
  const server = await startServer(config);
  for (const line of server.listening) io.out(line);
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      io.err(`-- ${signal}: shutting down (again to exit at once)`);
      process.once("SIGINT", () => process.exit(130)).once("SIGTERM", () => process.exit(143));
      // A stuck connection must not keep the process alive past the grace period.
      setTimeout(() => process.exit(0), 5_000).unref();
      server.close().then(resolve, resolve);
    };
    process.once("SIGINT", stop).once("SIGTERM", stop);
  });
}
