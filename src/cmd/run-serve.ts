import { createLogger } from "../observability/index.js";
import type { ServeConfig } from "./config.js";
import type { ProgramIO } from "./program.js";
import { startServer } from "./serve.js";

const EXIT_CODE: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * `chat-server serve`: start, print where each adapter listens, and on
 * SIGINT/SIGTERM shut down gracefully; a second signal exits at once.
 */
export async function runServe(config: ServeConfig, io: ProgramIO): Promise<void> {
  const logger = createLogger(config.logLevel, config.logFormat);
  const server = await startServer(config, logger);
  let stopping = false;
  const stopped = new Promise<void>((resolve) => {
    // One handler for the whole run: removing it would restore the default
    // disposition, and a second signal in that gap would kill the process.
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) process.exit(EXIT_CODE[signal] ?? 1);
      stopping = true;
      // SIGTERM is what an orchestrator sends: drain, so its balancer sees /healthz fail first.
      // SIGINT is a person at a terminal: stop now.
      const drain = signal === "SIGTERM";
      logger.info({ signal, drainMs: drain ? config.graceMs : 0 }, "shutting down (again to exit at once)");
      const periods = drain ? 2 : 1;
      // A stuck connection must not keep the process alive past the grace period.
      setTimeout(() => process.exit(0), config.graceMs * periods + 2_000).unref();
      server.close(config.graceMs, { drain }).then(resolve, resolve);
    };
    process.on("SIGINT", onSignal).on("SIGTERM", onSignal);
  });
  // Printed once the handlers are in: whoever reads these lines may signal at once.
  for (const line of server.listening) io.out(line);
  await stopped;
}
