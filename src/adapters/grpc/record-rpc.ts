import { status } from "@grpc/grpc-js";
import { recordRequest } from "../../observability/index.js";
import type { ResolvedChatServiceOptions } from "./options.js";

/** One answered RPC's access line and latency sample: `started` is its `performance.now()` at arrival. */
export function recordRpc(
  options: Pick<ResolvedChatServiceOptions, "logger" | "metrics">,
  rpc: string,
  grpcStatus: status,
  started: number,
): void {
  const seconds = (performance.now() - started) / 1000;
  const request = {
    adapter: "grpc",
    route: rpc,
    method: "rpc",
    status: status[grpcStatus],
    seconds,
  } as const;
  recordRequest(options.logger, options.metrics, request);
}
