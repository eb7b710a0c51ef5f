import { Writable } from "node:stream";
import { type Logger, pino } from "pino";

/** A real pino logger whose JSON lines are kept in memory, for tests that read what was logged. */
export function capturedLogger(): {
  logger: Logger;
  lines: () => ({ level: number; msg: string } & Record<string, unknown>)[];
} {
  const written: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ level: "info" }, sink);
  return {
    logger,
    lines: () =>
      written
        .join("")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line)),
  };
}
