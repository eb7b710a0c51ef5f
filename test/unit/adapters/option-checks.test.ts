import { describe, expect, it } from "vitest";
import { resolveChatServiceOptions } from "../../../src/adapters/grpc/options.js";
import { resolveHttpOptions, startHttpServer } from "../../../src/adapters/shared/index.js";
import { resolveWsOptions } from "../../../src/adapters/ws/options.js";

const BAD = [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "5" as unknown as number];

describe("adapter options are checked when resolved, the same way everywhere", () => {
  it.each(BAD)("refuses %s for HTTP, WebSocket and gRPC options, naming the option and the value", (bad) => {
    const message = (name: string) => new RegExp(`Expected \`${name}\` to be a positive integer, got `);
    expect(() => resolveHttpOptions({ maxStreams: bad })).toThrow(message("maxStreams"));
    expect(() => resolveHttpOptions({ heartbeatMs: bad })).toThrow(TypeError);
    expect(() => resolveWsOptions({ messageBurst: bad }, 4096)).toThrow(message("messageBurst"));
    expect(() => resolveChatServiceOptions({ maxBufferedMessages: bad })).toThrow(
      message("maxBufferedMessages"),
    );
  });

  it("takes a fractional rate, and refuses a rate that is not above 0", () => {
    expect(resolveWsOptions({ messagesPerSecond: 0.5 }, 4096).messagesPerSecond).toBe(0.5);
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => resolveWsOptions({ messagesPerSecond: bad }, 4096)).toThrow(
        /Expected `messagesPerSecond` to be a number above 0, got /,
      );
    }
  });

  it("echoes a string given where a number belongs", () => {
    expect(() => resolveHttpOptions({ bodyLimitBytes: "64k" as unknown as number })).toThrow(
      'Expected `bodyLimitBytes` to be a positive integer, got "64k" (string)',
    );
  });

  it("refuses bad server limits before listening", async () => {
    const handler = () => undefined;
    await expect(startHttpServer(handler, "127.0.0.1", 0, { requestTimeoutMs: 0 })).rejects.toThrow(
      /`requestTimeoutMs`/,
    );
    await expect(startHttpServer(handler, "127.0.0.1", 0, { maxConnectionsPerAddress: -5 })).rejects.toThrow(
      /`maxConnectionsPerAddress`/,
    );
  });

  it("keeps the defaults when nothing is given", () => {
    expect(resolveHttpOptions(undefined)).toMatchObject({ maxStreams: 20_000, heartbeatMs: 15_000 });
    expect(resolveWsOptions(undefined, 4096)).toMatchObject({ maxPayloadBytes: 2 * 4096 + 1024 });
  });
});
