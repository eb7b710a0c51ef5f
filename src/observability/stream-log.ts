import type { Logger } from "pino";
import type { AdapterLabel } from "./metrics.js";

/**
 * Why a stream ended, as its close line says: the room was `deleted`; the
 * client was a `slow_consumer`; the room lost history it had not seen; its
 * token expired; the client left, or broke the protocol (`client_error`);
 * the server is shutting down; or it `failed` (the error is logged too).
 */
export type StreamEndReason =
  | "deleted"
  | "slow_consumer"
  | "history_lost"
  | "token_expired"
  | "client_left"
  | "client_error"
  | "shutting_down"
  | "failed";

export interface StreamLogFields {
  readonly adapter: AdapterLabel;
  readonly roomId: string;
  readonly userId?: string | undefined;
}

/**
 * Logs a stream's opening and returns `closed(reason)`, which logs its end
 * with how long it lasted: `info`, or `warn` for a slow consumer evicted.
 */
export function logStreamOpened(logger: Logger, fields: StreamLogFields): (reason: StreamEndReason) => void {
  const opened = performance.now();
  logger.info(fields, "stream opened");
  return (reason) => {
    const durationMs = Math.round(performance.now() - opened);
    if (reason === "slow_consumer")
      logger.warn({ ...fields, reason, durationMs }, "stream closed: the client fell behind and was evicted");
    else logger.info({ ...fields, reason, durationMs }, "stream closed");
  };
}
