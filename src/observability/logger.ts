import { type Logger, pino } from "pino";

export type { Logger } from "pino";
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
export const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** A structured JSON logger on stderr; the hot path (deliveries) logs nothing at `info`. */
export function createLogger(level: LogLevel = "info"): Logger {
  return pino({ level, base: { service: "chat-server" } }, pino.destination(2));
}

/** A logger that drops everything: the default for embedded adapters. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
