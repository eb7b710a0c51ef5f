import type { AdapterLabel, ChatMetrics } from "../../observability/index.js";
import type { RoomEvent } from "../../rooms/index.js";
import { tickCounter } from "./tick-batching.js";

/**
 * What a stream pump calls after each write, for one adapter's metrics:
 * deliveries added up and counted once per event-loop turn, and a lag sample.
 * `undefined` without metrics, so the pump does nothing extra.
 */
export function deliveryReport(
  metrics: ChatMetrics | undefined,
  adapter: AdapterLabel,
): ((events: readonly RoomEvent[]) => void) | undefined {
  if (metrics === undefined) return undefined;
  const count = tickCounter((n) => metrics.delivered(adapter, n));
  const recordLag = metrics.deliveryLagRecorder(adapter);
  return (events) => {
    count(events.length);
    recordLag(events);
  };
}
