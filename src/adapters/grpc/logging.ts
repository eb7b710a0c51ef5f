import { setLogger } from "@grpc/grpc-js";
import type { Logger } from "../../observability/index.js";

/**
 * Sends grpc-js's own diagnostics to `logger` at debug level instead of
 * stderr. grpc-js logs some failures it also reports to the caller (a bind to
 * a port in use prints "E No address added ..." before `startGrpcServer`
 * rejects), which would break a CLI's one-line error. Process-wide: grpc-js
 * has one logger, so call it once, from the program's entry point.
 * `GRPC_VERBOSITY` still chooses what grpc-js emits (default: errors only).
 */
export function routeGrpcLogs(logger: Logger): void {
  const forward = (message?: unknown, ...details: unknown[]): void => {
    logger.debug(
      details.length > 0 ? { source: "grpc-js", details } : { source: "grpc-js" },
      String(message),
    );
  };
  setLogger({ error: forward, info: forward, debug: forward });
}
