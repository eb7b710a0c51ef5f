import { describe, expect, it } from "vitest";
import { recordRequest } from "../../../src/observability/index.js";
import { capturedLogger } from "../../helpers/captured-logger.js";

const request = (adapter: "rest" | "grpc", status: string) => ({
  adapter,
  route: adapter === "grpc" ? "Submit" : "/room/:roomId",
  method: adapter === "grpc" ? "rpc" : "POST",
  status,
  seconds: 0.0012,
});

describe("recordRequest", () => {
  it("writes the access line at info, and at warn for the server's own failures over HTTP and gRPC", () => {
    const { logger, lines } = capturedLogger();
    const statuses = {
      rest: ["201", "400", "429", "500", "503"],
      grpc: ["OK", "INVALID_ARGUMENT", "RESOURCE_EXHAUSTED", "INTERNAL", "UNAVAILABLE"],
    } as const;
    for (const [adapter, list] of Object.entries(statuses) as ["rest" | "grpc", readonly string[]][])
      for (const status of list) recordRequest(logger, undefined, request(adapter, status), 10);
    const levels = lines().map((line) => [line.status, line.level]);
    expect(levels).toEqual([
      ["201", 30],
      ["400", 30],
      ["429", 30],
      ["500", 40],
      ["503", 40],
      ["OK", 30],
      ["INVALID_ARGUMENT", 30],
      ["RESOURCE_EXHAUSTED", 30],
      ["INTERNAL", 40],
      ["UNAVAILABLE", 40],
    ]);
    expect(lines()[0]).toMatchObject({ msg: "request", durationMs: 1.2, bytes: 10, route: "/room/:roomId" });
  });
});
