import type { Logger } from "pino";
import type { ChatMetrics, FinishedRequest } from "./metrics.js";

/**
 * The server's own failures: a 5xx, or the gRPC statuses that map to one
 * (grpc-gateway's table), so a failing RPC warns as a failing request does.
 */
const SERVER_FAULT = /^(5\d\d|INTERNAL|UNKNOWN|UNAVAILABLE|DATA_LOSS|DEADLINE_EXCEEDED|UNIMPLEMENTED)$/;

/**
 * Records one answered request: its access line (`info`; `warn` for a server fault)
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
  if (SERVER_FAULT.test(request.status)) logger.warn(line, "request");
  else logger.info(line, "request");
}
