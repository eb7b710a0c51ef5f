import type { Logger } from "pino";
import type { ChatMetrics, FinishedRequest } from "./metrics.js";

/**
 * Records one answered request: its access line (`info`; `warn` for a 5xx)
 * and its sample in the latency histogram. `bytes` is the body's length
 * where the transport knows it.
 */
export function recordRequest(
  logger: Logger,
  metrics: ChatMetrics | undefined,
  request: FinishedRequest,
  bytes?: number,
): void {
  metrics?.requestFinished(request);
  const { seconds, ...fields } = request;
  const line = {
    ...fields,
    durationMs: Math.round(seconds * 10_000) / 10,
    ...(bytes === undefined ? {} : { bytes }),
  };
  if (/^5\d\d$/.test(request.status)) logger.warn(line, "request");
  else logger.info(line, "request");
}
