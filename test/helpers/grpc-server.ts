import { afterEach, expect } from "vitest";
import {
  type GrpcServerOptions,
  type RunningGrpcServer,
  startGrpcServer,
} from "../../src/adapters/grpc/index.js";
import { ChatMetrics } from "../../src/observability/index.js";
import { RoomManager, type RoomManagerOptions } from "../../src/rooms/index.js";
import { Disposer } from "./disposer.js";
import { ChatTestClient } from "./grpc-client.js";

export interface GrpcTestServer {
  readonly rooms: RoomManager;
  readonly metrics: ChatMetrics;
  readonly server: RunningGrpcServer;
  /** `127.0.0.1:<port>` */
  readonly address: string;
  /** A new client with its own connection (sending `token`, if given), closed after the test. */
  client(token?: string): ChatTestClient;
  /** Registers `close` to run after the test (before the server closes); returns `value`. */
  closeLater<T>(value: T, close: (value: T) => unknown): T;
}

export interface GrpcTestServerOptions extends Partial<Omit<GrpcServerOptions, "rooms">> {
  /** A RoomManager to serve, or options for a fresh one. */
  readonly rooms?: RoomManager | RoomManagerOptions;
}

/**
 * Registers an `afterEach` that closes every client, server and RoomManager
 * the test started, and returns the function that starts them: a real gRPC
 * server on 127.0.0.1, port 0, over a fresh RoomManager.
 */
export function useGrpcServers(): (options?: GrpcTestServerOptions) => Promise<GrpcTestServer> {
  const disposer = new Disposer();
  afterEach(() => disposer.dispose());

  return async (options = {}) => {
    const rooms = options.rooms instanceof RoomManager ? options.rooms : new RoomManager(options.rooms);
    disposer.defer(() => rooms.close());
    const metrics = new ChatMetrics();
    const server = await startGrpcServer({
      host: "127.0.0.1",
      port: 0,
      metrics,
      shutdownGraceMs: 500,
      ...options,
      rooms,
    });
    disposer.defer(() => server.close());
    const address = `127.0.0.1:${server.port}`;
    return {
      rooms,
      metrics,
      server,
      address,
      client: (token) => {
        const client = new ChatTestClient(address, token);
        disposer.defer(() => client.close());
        return client;
      },
      closeLater: (value, close) => {
        disposer.defer(() => close(value));
        return value;
      },
    };
  };
}

/** The value of a metric (summed over the series matching `labels`). */
export async function metricValue(
  metrics: ChatMetrics,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want))
    .reduce((sum, v) => sum + v.value, 0);
}

/** What a released server holds: its open gRPC streams and one room's listeners and members. */
export interface HeldByServer {
  readonly streams: number;
  readonly roomId: string;
  readonly listeners: number;
  readonly members: readonly string[];
}

/**
 * Waits until the server holds exactly `expected`. The server frees a call on
 * its own events (a reset arriving, a session closing), which a client does
 * not see, so this polls, bounded (10 s), instead of waiting on one event.
 */
export async function expectReleased(
  server: Pick<GrpcTestServer, "metrics" | "rooms">,
  expected: HeldByServer,
): Promise<void> {
  const settle = { timeout: 10_000, interval: 20 };
  const { streams, roomId, listeners, members } = expected;
  await expect
    .poll(() => metricValue(server.metrics, "chat_open_streams", { adapter: "grpc" }), settle)
    .toBe(streams);
  const room = () => server.rooms.listRooms().then((rooms) => rooms.find((r) => r.roomId === roomId));
  // A room nobody listens to (and with no message) is reclaimed: then it is gone.
  if (listeners === 0) await expect.poll(room, settle).toBeUndefined();
  else await expect.poll(room, settle).toMatchObject({ listeners, members });
}
