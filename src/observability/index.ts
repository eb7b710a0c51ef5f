export {
  createLogger,
  LOG_FORMATS,
  LOG_LEVELS,
  type LogFormat,
  type Logger,
  type LogLevel,
  silentLogger,
} from "./logger.js";
export { type AdapterLabel, ChatMetrics, type EvictionReason, type FinishedRequest } from "./metrics.js";
export { recordRequest } from "./request-log.js";
export { logStreamOpened, type StreamEndReason } from "./stream-log.js";
