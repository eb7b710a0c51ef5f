import { describe, expect, it } from "vitest";
import { resolveChatServiceOptions } from "../../src/adapters/grpc/options.js";
import { resolveHttpOptions, startHttpServer } from "../../src/adapters/shared/index.js";
import { resolveWsOptions } from "../../src/adapters/ws/options.js";
import { MemoryRoomStore, ROOM_DEFAULTS, RoomManager } from "../../src/rooms/index.js";
import { PostgresRoomStore } from "../../src/stores/postgres/index.js";
import { RedisRoomStore } from "../../src/stores/redis/index.js";

const BAD = [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "5" as unknown as number];

describe("options are checked when resolved, the same way in every module", () => {
  it.each(BAD)("refuses %s for HTTP, WebSocket and gRPC options, naming the option and the value", (bad) => {
    const message = (name: string) => new RegExp(`Expected \`${name}\` to be a positive integer, got `);
    expect(() => resolveHttpOptions({ maxStreams: bad })).toThrow(message("maxStreams"));
    expect(() => resolveHttpOptions({ heartbeatMs: bad })).toThrow(TypeError);
    expect(() => resolveWsOptions({ messageBurst: bad }, 4096)).toThrow(message("messageBurst"));
    expect(() => resolveChatServiceOptions({ maxBufferedMessages: bad })).toThrow(
      message("maxBufferedMessages"),
    );
  });

  it.each(BAD)(
    "refuses %s for the rooms module's options and the stores', before anything connects",
    async (bad) => {
      expect(() => new RoomManager({ historyLimit: bad })).toThrow(
        /Expected `historyLimit` to be a positive integer/,
      );
      expect(() => new RoomManager({ listenerQueueSize: bad })).toThrow(/`listenerQueueSize`/);
      expect(() => new MemoryRoomStore({ historyBytes: bad })).toThrow(/`historyBytes`/);
      // Port 9 (discard) is never a store: a check that came after connecting would fail differently.
      await expect(
        RedisRoomStore.connect({ url: "redis://127.0.0.1:9", presenceLeaseMs: bad }),
      ).rejects.toThrow(/`presenceLeaseMs`/);
      await expect(
        PostgresRoomStore.connect({ url: "postgres://postgres@127.0.0.1:9/test", historyLimit: bad }),
      ).rejects.toThrow(/`historyLimit`/);
    },
  );

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

  it("keeps the defaults when nothing is given", async () => {
    expect(resolveHttpOptions(undefined)).toMatchObject({ maxStreams: 20_000, heartbeatMs: 15_000 });
    expect(resolveWsOptions(undefined, 4096)).toMatchObject({ maxPayloadBytes: 2 * 4096 + 1024 });
    const manager = new RoomManager();
    expect(manager.maxMessageBytes).toBe(ROOM_DEFAULTS.maxMessageBytes);
    await manager.close();
  });
});
