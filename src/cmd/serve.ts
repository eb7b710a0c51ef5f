import { routeGrpcLogs, startGrpcServer } from "../adapters/grpc/index.js";
import { createHttpApp, type RunningHttpServer, startHttpServer } from "../adapters/http/index.js";
import { ChatMetrics, createLogger, type Logger } from "../observability/index.js";
import { getRoomManager, type RoomManager } from "../rooms/index.js";
import type { ServeConfig } from "./config.js";

export interface RunningServer {
  readonly rooms: RoomManager;
  /** One line per adapter: where it listens. */
  readonly listening: readonly string[];
  readonly httpPort: number | undefined;
  readonly grpcPort: number | undefined;
  /**
   * Graceful stop: healthz and gRPC health turn unhealthy, nothing new is
   * accepted, gRPC streams end with UNAVAILABLE, SSE streams end (clients
   * reconnect and resume elsewhere); connections left after `graceMs` are cut.
   */
  close(graceMs?: number): Promise<void>;
}

/** A failure a person can act on, printed as one line. */
export class StartupError extends Error {
  override readonly name = "StartupError";
}

/** Starts the configured adapters over one RoomManager. */
export async function startServer(
  config: ServeConfig,
  logger: Logger = createLogger(config.logLevel),
): Promise<RunningServer> {
  const rooms = getRoomManager({ historyLimit: config.history, maxMessageBytes: config.maxMessageBytes });
  const metrics = new ChatMetrics(rooms);
  let serving = true;
  const listening: string[] = [];
  let http: RunningHttpServer | undefined;
  let grpc: Awaited<ReturnType<typeof startGrpcServer>> | undefined;

  try {
    const rest = config.adapters.has("rest");
    const html = config.adapters.has("html");
    if (rest || html) {
      const app = createHttpApp(rooms, {
        rest,
        html,
        isServing: () => serving,
        heartbeatMs: config.heartbeatMs,
        metrics,
        logger,
      });
      http = await listenOrExplain(
        () => startHttpServer(app, config.host, config.httpPort),
        "--http-port",
        config,
      );
      if (rest) listening.push(`rest  ${http.url}  (JSON API, SSE at /stream/:roomId, /healthz, /metrics)`);
      if (html) listening.push(`html  ${http.url}/  (room pages at /room/:roomId)`);
    }
    if (config.adapters.has("grpc")) {
      routeGrpcLogs(logger);
      grpc = await listenOrExplain(
        () => startGrpcServer({ rooms, host: config.host, port: config.grpcPort, metrics, logger }),
        "--grpc-port",
        config,
      );
      listening.push(`grpc  ${config.host}:${grpc.port}  (chat.v1.ChatService, reflection, health)`);
    }
  } catch (error) {
    await http?.close(0);
    await grpc?.close();
    await rooms.close();
    throw error;
  }

  return {
    rooms,
    listening,
    httpPort: http?.port,
    grpcPort: grpc?.port,
    close: async (graceMs = 2_000) => {
      serving = false;
      const httpClosed = http?.close(graceMs);
      // gRPC first, so its streams end with UNAVAILABLE rather than as finished.
      await grpc?.close(graceMs);
      await rooms.close();
      await httpClosed;
    },
  };
}

async function listenOrExplain<T>(listen: () => Promise<T>, flag: string, config: ServeConfig): Promise<T> {
  try {
    return await listen();
  } catch (error) {
    const port = flag === "--http-port" ? config.httpPort : config.grpcPort;
    const text = String((error as Error).message ?? error);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE" || /EADDRINUSE|address already in use|No address added/i.test(text)) {
      throw new StartupError(`port ${port} on ${config.host} is already in use (${flag})`);
    }
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EACCES") {
      throw new StartupError(`cannot listen on ${config.host}:${port} (${code}, ${flag})`);
    }
    throw error;
  }
}
