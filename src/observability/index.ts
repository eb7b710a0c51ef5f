export { createLogger, LOG_LEVELS, type Logger, type LogLevel, silentLogger } from "./logger.js";
export { ChatMetrics, type EvictionReason, type StreamAdapter } from "./metrics.js";
