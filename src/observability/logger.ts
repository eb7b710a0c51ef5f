import { type Logger, pino } from "pino";
import { PinoPretty } from "pino-pretty";

export type { Logger } from "pino";
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
export const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
/** `json`: one JSON object per line, for collectors; `pretty`: coloured lines for a terminal. */
export type LogFormat = "json" | "pretty";
export const LOG_FORMATS: readonly LogFormat[] = ["json", "pretty"];

/** A structured logger on stderr; the hot path (deliveries) logs nothing at `info`. */
export function createLogger(level: LogLevel = "info", format: LogFormat = "json"): Logger {
  const options = { level, base: { service: "chat-server" } };
  if (format === "json") return pino(options, pino.destination(2));
  // In this process, not a worker: a line is out before the process exits.
  const pretty = PinoPretty({
    destination: 2,
    sync: true,
    colorize: process.stderr.isTTY,
    ignore: "pid,hostname,service",
    // One line per entry: an access line over seven lines is hard to scan.
    singleLine: true,
  });
  return pino(options, pretty);
}

/** A logger that drops everything: the default for embedded adapters. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
